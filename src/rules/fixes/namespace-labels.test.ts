import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import type { KubeObject } from '../types.js';
import { planNamespaceLabelsFix } from './namespace-labels.js';

const config = testConfig({
  rules: {
    'namespace-required-labels': {
      labels: [{ key: 'team' }, { key: 'environment', values: ['dev', 'prod'], default: 'dev' }, { key: 'example.com/tier', default: 'web' }],
    },
  },
});
const MISSING = new Set(['missing-label']);

describe('planNamespaceLabelsFix', () => {
  it('adds the absent labels that have a default, and notes the ones that need a value chosen', () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { owner: 'x' } } };
    expect(planNamespaceLabelsFix(namespace, MISSING, config)).toEqual({
      operations: [
        { op: 'add', path: '/metadata/labels/environment', value: 'dev' },
        { op: 'add', path: '/metadata/labels/example.com~1tier', value: 'web' },
      ],
      checks: ['missing-label'],
      notes: [{ path: 'metadata.labels["team"]', reason: expect.stringContaining('no default is configured') }],
    });
  });

  it('adds a labels map where there is none, and leaves a blank label to a person', () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: null } } as unknown as KubeObject;
    expect(planNamespaceLabelsFix(namespace, MISSING, config).operations).toEqual([{ op: 'add', path: '/metadata/labels', value: { environment: 'dev', 'example.com/tier': 'web' } }]);
    const blank = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a', environment: ' ' } } };
    expect(planNamespaceLabelsFix(blank, MISSING, config)).toEqual({
      operations: [{ op: 'add', path: '/metadata/labels/example.com~1tier', value: 'web' }],
      checks: ['missing-label'],
      notes: [{ path: 'metadata.labels["environment"]', reason: 'set but blank: fix adds only absent labels' }],
    });
  });

  it('does nothing unless missing-label failed, or for other kinds', () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    expect(planNamespaceLabelsFix(namespace, new Set(['invalid-value']), config).operations).toEqual([]);
    expect(planNamespaceLabelsFix({ ...namespace, kind: 'ConfigMap' }, MISSING, config).operations).toEqual([]);
  });
});
