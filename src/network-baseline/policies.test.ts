import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/load.js';
import type { NetworkBaselineConfig } from '../rules/types.js';
import { baselineObject, existingPolicyOf, planNamespace, type ExistingPolicy } from './policies.js';

const CONFIG: NetworkBaselineConfig = DEFAULT_CONFIG.networkBaseline;
const TEAM_A = { name: 'team-a', terminating: false };

function existing(...items: object[]): Map<string, ExistingPolicy> {
  return new Map(items.map((item) => existingPolicyOf(item)).filter((policy) => policy !== undefined).map((policy) => [policy.name, policy]));
}

/** A baseline policy as the API server stores it: defaulted, with server-set metadata. */
function stored(name: string, namespace: string, specOverride?: object) {
  const object = baselineObject(CONFIG.policies.find((policy) => policy.name === name)!, namespace);
  return { ...object, metadata: { ...object.metadata, resourceVersion: '7', uid: 'u', annotations: { note: 'kept' } }, spec: specOverride ?? object.spec };
}

describe('planNamespace', () => {
  it('creates every baseline policy in a namespace that has none, labelled as policygate\'s, the allows first', () => {
    const plan = planNamespace(CONFIG, TEAM_A, new Map());
    expect(plan.changes.map((change) => `${change.action} ${change.action === 'conflict' ? '' : change.object.metadata?.name}`)).toEqual([
      'create policygate-allow-dns',
      'create policygate-default-deny',
    ]);
    expect(plan.changes[1]).toEqual({
      action: 'create',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'policygate-default-deny', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'policygate', 'policygate.dev/network-baseline': 'policygate-default-deny' } },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
    });
  });

  it('leaves a policy of the same name alone when policygate did not create it', () => {
    const users = { metadata: { name: 'policygate-allow-dns', namespace: 'team-a', labels: { app: 'mine' } }, spec: { podSelector: {} } };
    const plan = planNamespace(CONFIG, TEAM_A, existing(users));
    expect(plan.changes).toEqual([
      { action: 'conflict', namespace: 'team-a', name: 'policygate-allow-dns' },
      { action: 'create', object: baselineObject(CONFIG.policies[0]!, 'team-a') },
    ]);
  });

  it('counts its own policies as up to date when the API server only defaulted them', () => {
    // What the API server stores for the DNS policy if the configuration left out policyTypes and protocols.
    const config: NetworkBaselineConfig = {
      ...CONFIG,
      policies: [{ name: 'dns', spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }], to: [] }] } }],
    };
    const defaulted = { ...baselineObject(config.policies[0]!, 'team-a'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }] } };
    expect(planNamespace(config, TEAM_A, existing(defaulted))).toEqual({ namespace: 'team-a', changes: [], upToDate: 1 });
  });

  it('puts its own policy back when its spec drifted, keeping what else is stored', () => {
    const drifted = stored('policygate-default-deny', 'team-a', { podSelector: {}, policyTypes: ['Ingress'] });
    const plan = planNamespace(CONFIG, TEAM_A, existing(drifted, stored('policygate-allow-dns', 'team-a')));
    expect(plan.upToDate).toBe(1);
    expect(plan.changes).toEqual([{ action: 'update', object: baselineObject(CONFIG.policies[0]!, 'team-a'), current: drifted }]);
  });

  it.each([
    ['an exempt namespace', { name: 'kube-system', terminating: false }],
    ["policygate's own namespace", { name: 'policygate', terminating: false }],
    ['a terminating namespace', { name: 'team-b', terminating: true }],
  ])('plans nothing for %s', (_what, namespace) => {
    expect(planNamespace(CONFIG, namespace, new Map())).toEqual({ namespace: namespace.name, changes: [], upToDate: 0 });
  });
});
