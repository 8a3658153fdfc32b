import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { evaluateObject } from './evaluate.js';
import { namespaceRequiredLabels } from './namespace-required-labels.js';
import type { KubeObject, Operation, RequiredLabel, RuleContext } from './types.js';

const LABELS: RequiredLabel[] = [
  { key: 'team' },
  { key: 'environment', values: ['dev', 'staging', 'prod'], default: 'dev' },
  { key: 'cost-center', pattern: '^[0-9]{4}$' },
  // Unanchored on purpose: it must still match the whole value.
  { key: 'example.com/tier', pattern: 'web|db' },
];
const VALID = { team: 'payments', environment: 'prod', 'cost-center': '0042', 'example.com/tier': 'web' };

function context(overrides: { operation?: Operation; labels?: RequiredLabel[]; checks?: Record<string, 'enforce' | 'warn' | 'audit' | 'off'> } = {}): RuleContext {
  const config = testConfig({ rules: { 'namespace-required-labels': { labels: overrides.labels ?? LABELS, checks: overrides.checks ?? {} } } });
  return { config, operation: overrides.operation ?? 'CREATE' };
}

function namespace(labels: unknown, name = 'shop'): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } as KubeObject['metadata'] };
}

/** check and path of each finding, the way the tables state them. */
function found(object: KubeObject, ruleContext = context()): string[] {
  return namespaceRequiredLabels.evaluate(object, ruleContext).map((finding) => `${finding.check} ${finding.path}`);
}

describe('namespace-required-labels', () => {
  it.each([
    { name: 'every label valid', labels: VALID },
    { name: 'extra labels besides', labels: { ...VALID, 'kubernetes.io/metadata.name': 'shop' } },
    { name: 'an unanchored pattern matching the whole value', labels: { ...VALID, 'example.com/tier': 'db' } },
  ])('allows $name', ({ labels }) => {
    expect(found(namespace(labels))).toEqual([]);
  });

  it.each([
    {
      name: 'no labels at all',
      labels: undefined,
      findings: [
        'missing-label metadata.labels["team"]',
        'missing-label metadata.labels["environment"]',
        'missing-label metadata.labels["cost-center"]',
        'missing-label metadata.labels["example.com/tier"]',
      ],
    },
    { name: 'a blank label', labels: { ...VALID, team: '  ' }, findings: ['missing-label metadata.labels["team"]'] },
    { name: 'an empty label', labels: { ...VALID, team: '' }, findings: ['missing-label metadata.labels["team"]'] },
    { name: 'a value not in the list', labels: { ...VALID, environment: 'production' }, findings: ['invalid-value metadata.labels["environment"]'] },
    { name: 'a value in the wrong case', labels: { ...VALID, environment: 'Prod' }, findings: ['invalid-value metadata.labels["environment"]'] },
    { name: 'a value not matching the pattern', labels: { ...VALID, 'cost-center': '42' }, findings: ['invalid-value metadata.labels["cost-center"]'] },
    {
      name: 'a value the unanchored pattern only matches in part',
      labels: { ...VALID, 'example.com/tier': 'webdb' },
      findings: ['invalid-value metadata.labels["example.com/tier"]'],
    },
    {
      name: 'several problems, in the configured order',
      labels: { 'cost-center': 'x', environment: 'qa' },
      findings: ['missing-label metadata.labels["team"]', 'invalid-value metadata.labels["environment"]', 'invalid-value metadata.labels["cost-center"]', 'missing-label metadata.labels["example.com/tier"]'],
    },
  ])('refuses $name', ({ labels, findings }) => {
    expect(found(namespace(labels))).toEqual(findings);
  });

  it('names the namespace, the label, the value and what was expected', () => {
    const findings = namespaceRequiredLabels.evaluate(namespace({ environment: 'production', 'cost-center': '42', 'example.com/tier': 'web' }), context());
    expect(findings).toEqual([
      {
        rule: 'namespace-required-labels',
        check: 'missing-label',
        mode: 'enforce',
        path: 'metadata.labels["team"]',
        paths: ['metadata.labels["team"]'],
        message: 'namespace "shop" is missing required label "team"',
      },
      {
        rule: 'namespace-required-labels',
        check: 'invalid-value',
        mode: 'enforce',
        path: 'metadata.labels["environment"]',
        paths: ['metadata.labels["environment"]'],
        message: 'namespace "shop" has label "environment"="production"; expected one of "dev", "staging", "prod"',
      },
      {
        rule: 'namespace-required-labels',
        check: 'invalid-value',
        mode: 'enforce',
        path: 'metadata.labels["cost-center"]',
        paths: ['metadata.labels["cost-center"]'],
        message: 'namespace "shop" has label "cost-center"="42"; expected a value matching "^[0-9]{4}$" (the whole value)',
      },
    ]);
    expect(namespaceRequiredLabels.evaluate(namespace({ ...VALID, environment: undefined }), context())[0]?.message).toBe(
      'namespace "shop" is missing required label "environment" (expected one of "dev", "staging", "prod")',
    );
    expect(namespaceRequiredLabels.evaluate(namespace({ ...VALID, team: '' }), context())[0]?.message).toBe('namespace "shop" has a blank value for required label "team"');
  });

  it('refuses removing a required label on UPDATE', () => {
    const { team: _removed, ...withoutTeam } = VALID;
    expect(found(namespace(withoutTeam), context({ operation: 'UPDATE' }))).toEqual(['missing-label metadata.labels["team"]']);
  });

  it('leaves a namespace being deleted and the status and finalize subresources alone, unless they change its labels', () => {
    const deletionTimestamp = new Date('2026-01-01T00:00:00Z');
    const terminating = (labels: Record<string, string>) => ({ ...namespace(labels), metadata: { name: 'shop', labels, deletionTimestamp } });
    const update = (oldObject: KubeObject, subResource?: string): RuleContext => ({ ...context({ operation: 'UPDATE' }), oldObject, ...(subResource ? { subResource } : {}) });
    // The namespace controller's own updates of a namespace that lacks the labels: never refused.
    expect(found(terminating({}), update(terminating({})))).toEqual([]);
    expect(found(namespace({}), update(namespace({}), 'status'))).toEqual([]);
    expect(found(namespace({}), update(namespace({}), 'finalize'))).toEqual([]);
    // A label change there is judged as on the Namespace itself.
    const { team: _removed, ...withoutTeam } = VALID;
    for (const subResource of ['status', 'finalize']) expect(found(namespace(withoutTeam), update(namespace(VALID), subResource)), subResource).toEqual(['missing-label metadata.labels["team"]']);
    expect(found(terminating({ ...VALID, environment: 'qa' }), update(terminating(VALID)))).toEqual(['invalid-value metadata.labels["environment"]']);
    expect(found(namespace({}), context({ operation: 'CONNECT' }))).toEqual([]);
  });

  it('matches a pattern with RE2 semantics, in time linear in the value, however the pattern nests', () => {
    // A backtracking engine tries 2^29 ways to split these 30 characters before failing: 38 s in V8.
    const ruleContext = context({ labels: [{ key: 'team', pattern: '([a-z0-9]+)+' }] });
    const started = performance.now();
    expect(found(namespace({ team: `${'a'.repeat(29)}!` }), ruleContext)).toEqual(['invalid-value metadata.labels["team"]']);
    expect(found(namespace({ team: 'a'.repeat(30) }), ruleContext)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('matches RE2 syntax that JavaScript reads otherwise', () => {
    // RE2's POSIX class and \pN; JavaScript without the u flag reads \p as a plain p.
    const ruleContext = context({ labels: [{ key: 'team', pattern: '[[:lower:]]+' }, { key: 'cost-center', pattern: '\\pN{4}' }] });
    expect(found(namespace({ team: 'payments', 'cost-center': '0042' }), ruleContext)).toEqual([]);
    expect(found(namespace({ team: 'Payments', 'cost-center': 'pNNNN' }), ruleContext)).toEqual(['invalid-value metadata.labels["team"]', 'invalid-value metadata.labels["cost-center"]']);
  });

  it('runs each check at the mode the configuration decides, and not at all when off', () => {
    const labels = { environment: 'qa', 'cost-center': '0042', 'example.com/tier': 'web' };
    const modes = (checks: Record<string, 'enforce' | 'warn' | 'audit' | 'off'>) =>
      namespaceRequiredLabels.evaluate(namespace(labels), context({ checks })).map((finding) => `${finding.check}:${finding.mode}`);
    expect(modes({})).toEqual(['missing-label:enforce', 'invalid-value:enforce']);
    expect(modes({ 'invalid-value': 'warn' })).toEqual(['missing-label:enforce', 'invalid-value:warn']);
    expect(modes({ 'missing-label': 'off' })).toEqual(['invalid-value:enforce']);
  });

  it('skips exempt namespaces and other kinds, through the evaluator', () => {
    const ruleContext = context();
    expect(evaluateObject(namespace({}, 'kube-system'), ruleContext).findings).toEqual([]);
    expect(evaluateObject(namespace({}, 'shop'), ruleContext).findings.map((finding) => finding.check)).toContain('missing-label');
    expect(found({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual([]);
  });

  it.each([
    { name: 'labels null', metadata: { name: 'shop', labels: null } },
    { name: 'labels a list', metadata: { name: 'shop', labels: ['team'] } },
    { name: 'labels a string', metadata: { name: 'shop', labels: 'team=x' } },
    { name: 'no metadata', metadata: undefined },
  ])('does not throw on odd shapes, and finds every label missing: $name', ({ metadata }) => {
    const object = { apiVersion: 'v1', kind: 'Namespace', metadata } as KubeObject;
    expect(found(object)).toEqual(LABELS.map((label) => `missing-label metadata.labels[${JSON.stringify(label.key)}]`));
  });

  it('does not take a key every object inherits for a label that is set', () => {
    const ruleContext = context({ labels: [{ key: 'constructor' }] });
    expect(found(namespace({ team: 'payments' }), ruleContext)).toEqual(['missing-label metadata.labels["constructor"]']);
    expect(found(namespace({ constructor: 'x' }), ruleContext)).toEqual([]);
  });

  it('reads a non-string label value from a manifest as text', () => {
    expect(found(namespace({ ...VALID, 'cost-center': 42 }))).toEqual(['invalid-value metadata.labels["cost-center"]']);
    expect(found(namespace({ ...VALID, 'cost-center': 1234 }))).toEqual([]);
  });

  it('describes its checks', () => {
    expect(namespaceRequiredLabels.meta.checks.map((check) => [check.id, check.defaultMode])).toEqual([
      ['missing-label', 'enforce'],
      ['invalid-value', 'enforce'],
    ]);
  });
});
