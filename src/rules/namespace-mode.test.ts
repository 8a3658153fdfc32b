import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { evaluateObject } from './evaluate.js';
import { namespaceModeCap } from './namespace-mode.js';
import type { KubeObject } from './types.js';

describe('namespaceModeCap', () => {
  it.each([
    [{}, undefined],
    [{ 'policygate.dev/mode': 'audit' }, 'audit'],
    [{ 'policygate.dev/mode': 'warn', 'policygate.dev/mode.pod-security': 'audit' }, 'audit'],
    [{ 'policygate.dev/mode': 'audit', 'policygate.dev/mode.pod-security': 'warn' }, 'audit'],
    [{ 'policygate.dev/mode.pod-security': 'warn' }, 'warn'],
    [{ 'policygate.dev/mode.network-policy-allow-all': 'audit' }, undefined],
    [{ 'policygate.dev/mode': 'off' }, undefined],
    [{ 'policygate.dev/mode': 'Audit' }, undefined],
    [{ 'policygate.dev/mode': 'enforce' }, 'enforce'],
  ])('%j caps pod-security at %s', (labels, expected) => {
    expect(namespaceModeCap(labels, 'pod-security')).toBe(expected);
  });
});

describe('a namespace mode label lowers findings during a rollout', () => {
  const config = testConfig();
  const allowAll: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open', namespace: 'team-a' },
    spec: { podSelector: {}, ingress: [{}] },
  };

  it('enforce becomes audit for the labelled rule only', () => {
    const labels = { 'policygate.dev/mode.network-policy-allow-all': 'audit' };
    const { findings } = evaluateObject(allowAll, { config, operation: 'CREATE', namespace: { name: 'team-a', labels } });
    expect(findings.map((finding) => `${finding.check} ${finding.mode}`)).toEqual(['allow-all-ingress audit']);
  });

  it('without the label, the configured mode stands', () => {
    const { findings } = evaluateObject(allowAll, { config, operation: 'CREATE', namespace: { name: 'team-a', labels: {} } });
    expect(findings.map((finding) => `${finding.check} ${finding.mode}`)).toEqual(['allow-all-ingress enforce']);
  });
});
