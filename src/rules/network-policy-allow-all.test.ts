import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { evaluateObject } from './evaluate.js';
import { networkPolicyAllowAll } from './network-policy-allow-all.js';
import type { KubeObject, Mode, Operation, RuleContext } from './types.js';

function context(checks: Record<string, Mode> = {}, mode: Mode = 'enforce', operation: Operation = 'CREATE'): RuleContext {
  return { config: testConfig({ rules: { 'network-policy-allow-all': { mode, checks } } }), operation };
}

function policy(spec: unknown, name = 'web'): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec };
}

/** `check path` of each finding. */
function found(spec: unknown, ruleContext = context()): string[] {
  return networkPolicyAllowAll.evaluate(policy(spec), ruleContext).map((finding) => `${finding.check} ${finding.path}`);
}

const FRONTEND = { podSelector: { matchLabels: { tier: 'frontend' } } };
const BACKEND = { podSelector: { matchLabels: { tier: 'backend' } } };
const KUBE_DNS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

// The examples users know, from the Kubernetes documentation and the usual recipes.
const SEEDS = {
  'default-deny': { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  'default-deny ingress, no policyTypes': { podSelector: {} },
  'allow DNS to kube-dns on port 53': { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS], ports: DNS_PORTS }] },
  'allow DNS to anywhere on port 53': { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: DNS_PORTS }] },
  'three-tier: frontend open to everyone on port 80': { podSelector: FRONTEND.podSelector, ingress: [{ ports: [{ port: 80 }] }] },
  'three-tier: backend from the frontend on 8080': { podSelector: BACKEND.podSelector, ingress: [{ from: [FRONTEND], ports: [{ port: 8080 }] }] },
  'three-tier: database from the backend on 5432': {
    podSelector: { matchLabels: { tier: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [BACKEND], ports: [{ port: 5432, protocol: 'TCP' }] }],
    egress: [{ to: [KUBE_DNS], ports: DNS_PORTS }],
  },
  'allow from monitoring namespace pods on a named port': {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }], ports: [{ port: 'metrics' }] }],
  },
  'allow the internet except the metadata service, on 443': {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }], ports: [{ port: 443 }] }],
  },
  'every pod in the cluster, but only on 443': { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 443 }] }] },
  'a port range short of everything': { podSelector: {}, ingress: [{ ports: [{ port: 1024, endPort: 65535 }] }] },
  'an allow-all egress rule when only Ingress is in effect': { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [FRONTEND] }], egress: [{}] },
  'an empty egress list, no policyTypes': { podSelector: {}, ingress: [{ from: [FRONTEND] }], egress: [] },
};

describe('network-policy-allow-all', () => {
  it.each(Object.entries(SEEDS))('allows %s', (_name, spec) => {
    expect(found(spec)).toEqual([]);
  });

  it.each([
    { name: 'the canonical allow-all (ingress: [{}])', spec: { podSelector: {}, ingress: [{}] }, findings: ['allow-all-ingress spec.ingress[0]'] },
    { name: 'a null rule', spec: { podSelector: {}, ingress: [null] }, findings: ['allow-all-ingress spec.ingress[0]'] },
    {
      name: 'allow-all egress with policyTypes',
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
      findings: ['allow-all-egress spec.egress[0]'],
    },
    { name: 'allow-all egress without policyTypes', spec: { podSelector: {}, egress: [{}] }, findings: ['allow-all-egress spec.egress[0]'] },
    { name: 'empty from and ports lists', spec: { podSelector: {}, ingress: [{ from: [], ports: [] }] }, findings: ['allow-all-ingress spec.ingress[0]'] },
    {
      name: '0.0.0.0/0 on every port',
      spec: { podSelector: {}, ingress: [{ from: [FRONTEND, { ipBlock: { cidr: '0.0.0.0/0' } }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
    },
    {
      name: '::/0 with an empty except list',
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: [] } }] }] },
      findings: ['allow-all-egress spec.egress[0]'],
    },
    {
      name: 'a port entry with no port (every port of its protocol)',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP' }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
    },
    { name: 'a null port entry', spec: { podSelector: {}, ingress: [{ ports: [null] }] }, findings: ['allow-all-ingress spec.ingress[0]'] },
    {
      name: 'a port range over 1-65535',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 1, endPort: 65535 }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
    },
    {
      name: 'the second rule only',
      spec: { podSelector: {}, ingress: [{ from: [FRONTEND], ports: [{ port: 80 }] }, { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
      findings: ['allow-all-ingress spec.ingress[1]'],
    },
    {
      name: 'every pod in the cluster on every port',
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] },
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
    },
    {
      name: 'every pod in the cluster, spelled with empty selectors',
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: {}, matchExpressions: [] }, podSelector: {} }] }] },
      findings: ['allow-all-cluster-egress spec.egress[0]'],
    },
    {
      name: 'ingress and egress together, ingress first',
      spec: { podSelector: {}, policyTypes: ['Egress', 'Ingress'], egress: [{}], ingress: [{}] },
      findings: ['allow-all-ingress spec.ingress[0]', 'allow-all-egress spec.egress[0]'],
    },
  ])('flags $name', ({ spec, findings }) => {
    expect(found(spec)).toEqual(findings);
  });

  it('does not count a namespaceSelector with a podSelector as every pod', () => {
    expect(found({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] }] })).toEqual([]);
    expect(found({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }] }] })).toEqual([]);
  });

  it('says what a rule admits and how to narrow it', () => {
    const [allowAll] = networkPolicyAllowAll.evaluate(policy({ podSelector: {}, ingress: [{}] }), context());
    expect(allowAll).toEqual({
      rule: 'network-policy-allow-all',
      check: 'allow-all-ingress',
      mode: 'enforce',
      path: 'spec.ingress[0]',
      paths: ['spec.ingress[0]'],
      message:
        'ingress rule admits every source on every port (no "from"; no "ports"); ' +
        'narrow "from" to the pods, namespaces or CIDRs that need access and list their "ports"',
    });
    const [internet] = networkPolicyAllowAll.evaluate(
      policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS, { ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }, { protocol: 'TCP' }] }] }),
      context(),
    );
    expect(internet?.message).toBe(
      'egress rule admits every destination on every port (to[1]: ipBlock 0.0.0.0/0; ports[1]: no port); ' +
        'narrow "to" to the pods, namespaces or CIDRs it needs to reach and list their "ports"',
    );
    const [cluster] = networkPolicyAllowAll.evaluate(policy({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 1, endPort: 65535 }] }] }), context());
    expect(cluster).toMatchObject({ check: 'allow-all-cluster-ingress', mode: 'warn', path: 'spec.ingress[0]' });
    expect(`${cluster?.path}: ${cluster?.message}`.length).toBeLessThanOrEqual(256);
    expect(cluster?.message).toBe(
      'ingress rule admits every pod of every namespace on every port (from[0]: namespaceSelector {} without podSelector; ports[0]: 1-65535); ' +
        'narrow the namespaceSelector or add a podSelector for the pods that need access and list their "ports"',
    );
  });

  it('reports a rule that is both open to all and to the whole cluster once, as allow-all, unless that check is off', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }] }] };
    expect(found(spec)).toEqual(['allow-all-ingress spec.ingress[0]']);
    expect(found(spec, context({ 'allow-all-ingress': 'off' }))).toEqual(['allow-all-cluster-ingress spec.ingress[0]']);
  });

  it('takes each check mode from the configuration, capped by the rule mode when not listed', () => {
    const spec = { podSelector: {}, ingress: [{}, { from: [{ namespaceSelector: {} }] }] };
    const modes = (ruleContext: RuleContext) => networkPolicyAllowAll.evaluate(policy(spec), ruleContext).map((finding) => `${finding.check}:${finding.mode}`);
    expect(modes(context())).toEqual(['allow-all-ingress:enforce', 'allow-all-cluster-ingress:warn']);
    expect(modes(context({}, 'audit'))).toEqual(['allow-all-ingress:audit', 'allow-all-cluster-ingress:audit']);
    expect(modes(context({ 'allow-all-ingress': 'warn', 'allow-all-cluster-ingress': 'enforce' }))).toEqual(['allow-all-ingress:warn', 'allow-all-cluster-ingress:enforce']);
    expect(modes(context({ 'allow-all-cluster-ingress': 'off' }))).toEqual(['allow-all-ingress:enforce']);
  });

  it('judges UPDATE like CREATE, and skips exempt namespaces through the evaluator', () => {
    expect(found({ ingress: [{}] }, context({}, 'enforce', 'UPDATE'))).toEqual(['allow-all-ingress spec.ingress[0]']);
    const config = testConfig({ rules: { 'network-policy-allow-all': { exemptNamespaces: ['shop'] } } });
    expect(evaluateObject(policy({ ingress: [{}] }), { config, operation: 'CREATE' }).findings).toEqual([]);
  });

  it.each([
    { name: 'no spec', spec: undefined },
    { name: 'spec a string', spec: 'x' },
    { name: 'ingress not a list', spec: { ingress: { from: [] } } },
    { name: 'a rule that is a string', spec: { ingress: ['x'] } },
    { name: 'from not a list, ports restrict', spec: { ingress: [{ from: 'everyone', ports: [{ port: 80 }] }] } },
    { name: 'peers and ports of odd shapes', spec: { ingress: [{ from: [null, 3, { ipBlock: 'x' }, { namespaceSelector: [] }], ports: ['x', { port: 'http' }] }] } },
    { name: 'policyTypes not a list', spec: { policyTypes: 'Egress', egress: [{ to: [FRONTEND] }] } },
  ])('does not throw on odd shapes, and finds nothing there: $name', ({ spec }) => {
    expect(found(spec)).toEqual([]);
  });

  it('treats an empty policyTypes list as absent, as the API server does', () => {
    expect(found({ policyTypes: [], ingress: [{}], egress: [{}] })).toEqual(['allow-all-ingress spec.ingress[0]', 'allow-all-egress spec.egress[0]']);
  });

  it('applies to networking.k8s.io NetworkPolicies only', () => {
    const other = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', spec: { ingress: [{}] } };
    expect(networkPolicyAllowAll.evaluate(other, context())).toEqual([]);
  });

  it('describes its checks', () => {
    expect(networkPolicyAllowAll.meta.checks.map((check) => [check.id, check.defaultMode])).toEqual([
      ['allow-all-ingress', 'enforce'],
      ['allow-all-egress', 'enforce'],
      ['allow-all-cluster-ingress', 'warn'],
      ['allow-all-cluster-egress', 'warn'],
    ]);
  });
});
