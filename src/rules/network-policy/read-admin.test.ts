// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy through the rule.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { networkPolicyAllowAll } from '../network-policy-allow-all.js';
import type { Finding, KubeObject } from '../types.js';

const CONTEXT = { config: testConfig(), operation: 'CREATE' } as const;
const SUBJECT = { namespaces: { matchLabels: { tenant: 'a' } } };

const anp = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'p' }, spec: { priority: 10, subject: SUBJECT, ...spec } });
const banp = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: SUBJECT, ...spec } });
const cnp = (tier: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'p' }, spec: { tier, priority: 10, subject: SUBJECT, ...spec } });

const findings = (object: KubeObject): Finding[] => networkPolicyAllowAll.evaluate(object, CONTEXT);
const found = (object: KubeObject) => findings(object).map((finding) => `${finding.check} ${finding.path}`);

const SEEDS: Record<string, KubeObject> = {
  'deny every namespace, allow monitoring on 9090': anp({
    ingress: [
      { name: 'monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }] },
      { name: 'others', action: 'Deny', from: [{ namespaces: {} }] },
    ],
  }),
  'pass everything to the namespaces': anp({ ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }], egress: [{ action: 'Pass', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }] }),
  'allow DNS to kube-system on 53': anp({ egress: [{ action: 'Allow', to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { protocol: 'TCP', port: 53 } }] }] }),
  'a deny before the allow': anp({ ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { tenant: 'b' } } }] }, { action: 'Allow', from: [{ namespaces: {} }] }] }),
  'an allow whose peer names no field (fail closed: nothing)': anp({ ingress: [{ action: 'Allow', from: [{}] }] }),
  'domain names on 443': anp({ egress: [{ action: 'Allow', to: [{ domainNames: ['*.example.com'] }], ports: [{ portNumber: { port: 443 } }] }] }),
  'baseline: deny everything': banp({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }),
  'v1alpha2: every namespace on TCP 443 only': cnp('Admin', { ingress: [{ action: 'Accept', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] }] }),
  'v1alpha2: an Allow action is not this version\'s': cnp('Admin', { ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] }),
};

describe('network-policy-allow-all on sig-network cluster policies', () => {
  it.each(Object.entries(SEEDS))('allows %s', (_name, object) => {
    expect(found(object)).toEqual([]);
  });

  it('flags an admin Allow from every namespace, and says it overrides NetworkPolicies', () => {
    const [finding] = findings(anp({ ingress: [{ name: 'everyone', action: 'Allow', from: [{ namespaces: {} }] }] }));
    expect(finding).toMatchObject({ check: 'allow-all-cluster-ingress', mode: 'warn', path: 'spec.ingress[0]', paths: ['spec.ingress[0]', 'spec.ingress[0].from[0].namespaces'] });
    expect(finding?.message).toBe(
      'ingress rule admits every pod of every namespace on every port (from[0]: namespaces {}; no "ports"); ' +
        'narrow the namespaces and pods selectors in "from" to the pods that need access and list their "ports"; ' +
        "an AdminNetworkPolicy Allow overrides every namespace's own NetworkPolicies",
    );
  });

  it.each([
    {
      name: 'networks covering IPv4 and IPv6',
      object: anp({ egress: [{ action: 'Allow', to: [{ networks: ['0.0.0.0/0'] }] }] }),
      findings: ['allow-all-egress spec.egress[0]'],
      reason: 'to[0].networks[0]: 0.0.0.0/0; no "ports"',
    },
    {
      name: 'port ranges over two rules',
      object: anp({
        egress: [
          { action: 'Allow', to: [{ networks: ['::/0'] }], ports: [{ portRange: { start: 1, end: 1023 } }] },
          { action: 'Allow', to: [{ networks: ['::/0'] }], ports: [{ portRange: { start: 1024, end: 65535 } }] },
        ],
      }),
      findings: ['allow-all-egress spec.egress'],
      reason: undefined,
    },
    {
      name: 'every pod through pods selectors',
      object: banp({ ingress: [{ action: 'Allow', from: [{ pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } }, { pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } } }] }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'from[0]: pods in namespaces {} with podSelector {app Exists} and from[1]: pods in namespaces {} with podSelector {app DoesNotExist} together cover every pod of every namespace; no "ports"',
    },
    {
      name: 'v1alpha2 Admin Accept to every network',
      object: cnp('Admin', { egress: [{ action: 'Accept', to: [{ networks: ['0.0.0.0/1', '128.0.0.0/1'] }], protocols: [{ udp: {} }] }] }),
      findings: ['allow-all-egress spec.egress[0]'],
      reason: 'to[0].networks[0]: 0.0.0.0/1 and to[0].networks[1]: 128.0.0.0/1 together cover every IPv4 address; protocols[0]: udp without destinationPort',
    },
    {
      name: 'v1alpha2 Baseline Accept from every namespace',
      object: cnp('Baseline', { ingress: [{ action: 'Accept', from: [{ namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }] }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'from[0]: namespaces {kubernetes.io/metadata.name Exists} (every namespace carries kubernetes.io/metadata.name); no "protocols"',
    },
  ])('flags $name', ({ object, findings: expected, reason }) => {
    const result = findings(object);
    expect(result.map((finding) => `${finding.check} ${finding.path}`)).toEqual(expected);
    if (reason) expect(result[0]?.message).toContain(`(${reason})`);
  });

  it('says an Admin-tier Accept overrides NetworkPolicies, and a Baseline one does not', () => {
    const admin = findings(cnp('Admin', { ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }));
    expect(admin[0]?.message).toMatch(/an Admin-tier Accept overrides every namespace's own NetworkPolicies$/);
    const baseline = findings(cnp('Baseline', { ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }));
    expect(baseline[0]?.message).not.toContain('overrides');
  });
});
