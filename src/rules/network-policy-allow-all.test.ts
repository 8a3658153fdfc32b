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
  // What the users' guides have them copy (written here as our own fixtures).
  'zero-trust foundation: every pod of its own namespace, DNS to kube-system': {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: {} }], ports: [] }],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: DNS_PORTS }],
  },
  'a public frontend: from [] on port 80, DNS to any namespace on UDP 53': {
    podSelector: { matchLabels: { tier: 'frontend' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [], ports: [{ port: 80 }] }],
    egress: [{ to: [BACKEND], ports: [{ port: 8080 }] }, { to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] }],
  },
  'kube-dns open to everyone on port 53 only': { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ from: [], ports: DNS_PORTS }] },
  'every namespace on TCP 80, every pod on TCP 443': {
    podSelector: FRONTEND.podSelector,
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 80 }] }],
    egress: [{ to: [{ namespaceSelector: {}, podSelector: {} }], ports: [{ protocol: 'TCP', port: 443 }] }],
  },
  'two named namespaces': {
    podSelector: { matchLabels: { app: 'myapp' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'namespace', operator: 'In', values: ['frontend', 'backend'] }] } }] }],
  },
  'a port range to one subnet': { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] },
  'two halves of IPv4 with a gap between them': {
    podSelector: {},
    ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1', except: ['192.168.0.0/16'] } }] }],
  },
  'two port ranges with port 32768 missing': { podSelector: {}, ingress: [{ ports: [{ port: 1, endPort: 32767 }, { port: 32769, endPort: 65535 }] }] },
  'every TCP port below 32768 and every UDP port above': { podSelector: {}, ingress: [{ ports: [{ port: 1, endPort: 32767 }] }, { ports: [{ protocol: 'UDP', port: 32768, endPort: 65535 }] }] },
  'half the addresses on half the ports, the other half on the other half': {
    podSelector: {},
    ingress: [
      { from: [{ ipBlock: { cidr: '0.0.0.0/1' } }], ports: [{ port: 1, endPort: 32767 }] },
      { from: [{ ipBlock: { cidr: '128.0.0.0/1' } }], ports: [{ port: 32768, endPort: 65535 }] },
    ],
  },
  'every namespace but kube-system': {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } }] }],
  },
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

  it.each([
    {
      name: 'two ipBlocks covering IPv4 between them',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1' } }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'from[0]: ipBlock 0.0.0.0/1 and from[1]: ipBlock 128.0.0.0/1 together cover every IPv4 address; no "ports"',
      paths: ['spec.ingress[0]', 'spec.ingress[0].from[0].ipBlock.cidr', 'spec.ingress[0].from[1].ipBlock.cidr'],
    },
    {
      name: 'two ipBlocks covering IPv6 between them',
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/1' } }, { ipBlock: { cidr: '8000::/1' } }] }] },
      findings: ['allow-all-egress spec.egress[0]'],
      reason: 'to[0]: ipBlock ::/1 and to[1]: ipBlock 8000::/1 together cover every IPv6 address; no "ports"',
    },
    {
      name: '0.0.0.0/00, which the API server accepts',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/00' } }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'from[0]: ipBlock 0.0.0.0/00; no "ports"',
    },
    {
      name: 'the IPv4-mapped IPv6 block',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '::ffff:0.0.0.0/96' } }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'from[0]: ipBlock ::ffff:0.0.0.0/96; no "ports"',
    },
    {
      name: 'an except that removes nothing the other block lacks',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '10.0.0.0/8' } }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'from[0]: ipBlock 0.0.0.0/0 except 10.0.0.0/8 and from[1]: ipBlock 10.0.0.0/8 together cover every IPv4 address; no "ports"',
      paths: ['spec.ingress[0]', 'spec.ingress[0].from[0].ipBlock.cidr', 'spec.ingress[0].from[0].ipBlock.except', 'spec.ingress[0].from[1].ipBlock.cidr'],
    },
    {
      name: 'ports split over two entries',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 1, endPort: 32767 }, { port: 32768, endPort: 65535 }] }] },
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no "from"; ports[0]: 1-32767 and ports[1]: 32768-65535 together cover every TCP port',
      paths: ['spec.ingress[0]', 'spec.ingress[0].ports[0]', 'spec.ingress[0].ports[1]'],
    },
    {
      name: 'every namespace by kubernetes.io/metadata.name Exists',
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }] }] },
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'from[0]: namespaceSelector {kubernetes.io/metadata.name Exists} without podSelector (every namespace carries kubernetes.io/metadata.name); no "ports"',
      paths: ['spec.ingress[0]', 'spec.ingress[0].from[0].namespaceSelector'],
    },
  ])('flags $name, with its witness', ({ spec, findings, reason, paths }) => {
    const result = networkPolicyAllowAll.evaluate(policy(spec), context());
    expect(result.map((finding) => `${finding.check} ${finding.path}`)).toEqual(findings);
    expect(result[0]?.message).toContain(`(${reason})`);
    if (paths) expect(result[0]?.paths).toEqual(paths);
  });

  it('flags rules that only together admit everything, at the direction, naming every contributing field', () => {
    const [ports] = networkPolicyAllowAll.evaluate(policy({ podSelector: {}, ingress: [{ ports: [{ port: 1, endPort: 32767 }] }, { ports: [{ port: 32768, endPort: 65535 }] }] }), context());
    expect(ports).toEqual({
      rule: 'network-policy-allow-all',
      check: 'allow-all-ingress',
      mode: 'enforce',
      path: 'spec.ingress',
      paths: ['spec.ingress', 'spec.ingress[0]', 'spec.ingress[0].ports[0]', 'spec.ingress[1]', 'spec.ingress[1].ports[0]'],
      message:
        'ingress rules together admit every source on every port: spec.ingress[0] (no "from"; ports[0]: 1-32767) and spec.ingress[1] (no "from"; ports[0]: 32768-65535) ' +
        'together cover every source on every TCP port; narrow "from" to the pods, namespaces or CIDRs that need access and list their "ports"',
    });
    const [addresses] = networkPolicyAllowAll.evaluate(
      policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }] }, { to: [KUBE_DNS], ports: DNS_PORTS }, { to: [{ ipBlock: { cidr: '128.0.0.0/1' } }] }] }),
      context(),
    );
    expect(addresses?.path).toBe('spec.egress');
    expect(addresses?.paths).toEqual(['spec.egress', 'spec.egress[0].to[0].ipBlock.cidr', 'spec.egress[0]', 'spec.egress[2].to[0].ipBlock.cidr', 'spec.egress[2]']);
    expect(addresses?.message).toContain(
      'spec.egress[0] (to[0]: ipBlock 0.0.0.0/1; no "ports") and spec.egress[2] (to[0]: ipBlock 128.0.0.0/1; no "ports") together cover every IPv4 address on every TCP port',
    );
    const [pods] = networkPolicyAllowAll.evaluate(
      policy({
        podSelector: {},
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] },
          { from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] } }] },
        ],
      }),
      context(),
    );
    expect(pods).toMatchObject({ check: 'allow-all-cluster-ingress', mode: 'warn', path: 'spec.ingress' });
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

  it('judges network policy kinds only', () => {
    const other = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { ingress: [{}] } };
    expect(networkPolicyAllowAll.evaluate(other, context())).toEqual([]);
    const istio = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', spec: { rules: [{}] } };
    expect(networkPolicyAllowAll.evaluate(istio, context())).toEqual([]);
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
