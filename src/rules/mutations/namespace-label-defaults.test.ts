import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { mutateObject } from '../evaluate.js';
import { applyJsonPatch } from '../json-patch-apply.js';
import { namespaceRequiredLabels } from '../namespace-required-labels.js';
import type { KubeObject, PatchOperation, RequiredLabel, RuleContext } from '../types.js';
import { namespaceLabelDefaults } from './namespace-label-defaults.js';

const LABELS: RequiredLabel[] = [
  { key: 'team' },
  { key: 'environment', values: ['dev', 'staging', 'prod'], default: 'dev' },
  { key: 'example.com/cost-center', pattern: '[0-9]{4}', default: '0000' },
];

const CONTEXT: RuleContext = {
  config: testConfig({ rules: { 'namespace-required-labels': { labels: LABELS } } }),
  operation: 'CREATE',
};

function namespace(metadata: unknown): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: metadata as KubeObject['metadata'] };
}

describe('namespace-label-defaults', () => {
  it.each<{ name: string; metadata: unknown; patch: PatchOperation[] }>([
    {
      name: 'adds every defaulted label, escaping "/" in the key',
      metadata: { name: 'shop', labels: { team: 'payments' } },
      patch: [
        { op: 'add', path: '/metadata/labels/environment', value: 'dev' },
        { op: 'add', path: '/metadata/labels/example.com~1cost-center', value: '0000' },
      ],
    },
    {
      name: 'adds the labels map when there is none',
      metadata: { name: 'shop' },
      patch: [{ op: 'add', path: '/metadata/labels', value: { environment: 'dev', 'example.com/cost-center': '0000' } }],
    },
    {
      name: 'replaces a null labels map',
      metadata: { name: 'shop', labels: null },
      patch: [{ op: 'add', path: '/metadata/labels', value: { environment: 'dev', 'example.com/cost-center': '0000' } }],
    },
    {
      name: 'adds only what is missing',
      metadata: { name: 'shop', labels: { team: 'payments', environment: 'prod' } },
      patch: [{ op: 'add', path: '/metadata/labels/example.com~1cost-center', value: '0000' }],
    },
    {
      name: 'never overrides a value the user set, even a blank or invalid one',
      metadata: { name: 'shop', labels: { environment: '', 'example.com/cost-center': 'none' } },
      patch: [],
    },
  ])('$name', ({ metadata, patch }) => {
    const object = namespace(metadata);
    const operations = namespaceLabelDefaults.patch(object, CONTEXT);
    expect(operations).toEqual(patch);
    // Idempotent: the patched object needs nothing more.
    const patched = applyJsonPatch(object, operations);
    expect(namespaceLabelDefaults.patch(patched, CONTEXT)).toEqual([]);
  });

  it('leaves only the labels without a default for the rule to report', () => {
    const object = namespace({ name: 'shop', labels: { team: 'payments' } });
    const before = namespaceRequiredLabels.evaluate(object, CONTEXT).map((finding) => finding.path);
    expect(before).toEqual(['metadata.labels["environment"]', 'metadata.labels["example.com/cost-center"]']);
    const patched = applyJsonPatch(object, namespaceLabelDefaults.patch(object, CONTEXT));
    expect(namespaceRequiredLabels.evaluate(patched, CONTEXT)).toEqual([]);

    const withoutTeam = applyJsonPatch(namespace({ name: 'shop' }), namespaceLabelDefaults.patch(namespace({ name: 'shop' }), CONTEXT));
    expect(namespaceRequiredLabels.evaluate(withoutTeam, CONTEXT).map((finding) => finding.path)).toEqual(['metadata.labels["team"]']);
  });

  it('adds a removed label back on UPDATE', () => {
    const object = namespace({ name: 'shop', labels: { team: 'payments', 'example.com/cost-center': '1234' } });
    expect(namespaceLabelDefaults.patch(object, { ...CONTEXT, operation: 'UPDATE' })).toEqual([{ op: 'add', path: '/metadata/labels/environment', value: 'dev' }]);
  });

  it('runs only when the configuration turns it on, through mutateObject', () => {
    const object = namespace({ name: 'shop', labels: { team: 'payments', 'example.com/cost-center': '1234' } });
    expect(mutateObject(object, CONTEXT)).toEqual({
      patch: [{ op: 'add', path: '/metadata/labels/environment', value: 'dev' }],
      applied: ['namespace-label-defaults'],
      errors: [],
    });
    const off = { ...CONTEXT, config: testConfig({ rules: { 'namespace-required-labels': { labels: LABELS } }, mutations: { namespaceLabelDefaults: false } }) };
    expect(mutateObject(object, off)).toEqual({ patch: [], applied: [], errors: [] });
  });

  it('leaves exempt namespaces, subresources and namespaces being deleted alone', () => {
    expect(namespaceLabelDefaults.patch(namespace({ name: 'kube-system' }), CONTEXT)).toEqual([]);
    expect(namespaceLabelDefaults.patch(namespace({ name: 'shop' }), { ...CONTEXT, operation: 'UPDATE', subResource: 'status' })).toEqual([]);
    expect(namespaceLabelDefaults.patch(namespace({ name: 'shop', deletionTimestamp: '2026-01-01T00:00:00Z' }), CONTEXT)).toEqual([]);
  });

  it('does not take a key every object inherits for a label that is set', () => {
    const context = { ...CONTEXT, config: testConfig({ rules: { 'namespace-required-labels': { labels: [{ key: 'constructor', default: 'x' }] } } }) };
    expect(namespaceLabelDefaults.patch(namespace({ name: 'shop', labels: {} }), context)).toEqual([{ op: 'add', path: '/metadata/labels/constructor', value: 'x' }]);
    expect(namespaceLabelDefaults.patch(namespace({ name: 'shop' }), context)).toEqual([{ op: 'add', path: '/metadata/labels', value: { constructor: 'x' } }]);
  });

  it('does not throw on odd shapes', () => {
    expect(namespaceLabelDefaults.patch(namespace(undefined), CONTEXT)).toEqual([
      { op: 'add', path: '/metadata', value: { labels: { environment: 'dev', 'example.com/cost-center': '0000' } } },
    ]);
    expect(namespaceLabelDefaults.patch(namespace({ name: 'shop', labels: ['x'] }), CONTEXT)).toEqual([]);
    expect(namespaceLabelDefaults.patch(namespace('x'), CONTEXT)).toEqual([]);
  });
});
