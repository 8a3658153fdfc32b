// network-isolation, check by check, with the context built from objects as `check` and the audit build
// it. The policies are the ones users copy from the guides they follow (default-deny patterns, DNS,
// micro-segmentation, the five pitfalls), written here as our own fixtures.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { evaluateObject } from './evaluate.js';
import { networkIsolation } from './network-isolation.js';
import { KnownNetworkObjects } from './network-isolation/known-objects.js';
import type { ClusterContext, ClusterContextSource, Finding, KubeObject, Operation, PolicyConfig, RuleContext } from './types.js';

type Spec = Record<string, unknown>;

function networkPolicy(name: string, namespace: string, spec: Spec): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function cluster(objects: readonly KubeObject[], source: ClusterContextSource = 'cluster', namespaces: 'complete' | 'some' | 'unknown' = source === 'manifests' ? 'some' : 'complete'): ClusterContext {
  const known = new KnownNetworkObjects({ source, namespaces });
  for (const object of objects) known.add(object);
  return known.context();
}

interface Options {
  context?: ClusterContext | undefined;
  config?: PolicyConfig;
  operation?: Operation;
}

function judge(object: KubeObject, options: Options = {}): Finding[] {
  const context: RuleContext = { config: options.config ?? testConfig(), operation: options.operation ?? 'CREATE', cluster: options.context };
  return networkIsolation.evaluate(object, context);
}

function checks(object: KubeObject, options: Options = {}): string[] {
  return judge(object, options).map((finding) => `${finding.check} ${finding.path}`);
}

const KUBE_SYSTEM_BY_NAME = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };
const KUBE_DNS = { ...KUBE_SYSTEM_BY_NAME, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const DNS_UDP_TCP = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

const DENY_ALL = networkPolicy('default-deny-all', 'production', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const DENY_ALL_INGRESS = networkPolicy('deny-all-ingress', 'production', { podSelector: {}, policyTypes: ['Ingress'] });
const DENY_ALL_EGRESS = networkPolicy('deny-all-egress', 'production', { podSelector: {}, policyTypes: ['Egress'] });
const ALLOW_DNS = networkPolicy('allow-dns-egress', 'production', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_SYSTEM_BY_NAME], ports: DNS_UDP_TCP }] });
const ALLOW_DNS_UDP = networkPolicy('allow-dns', 'production', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
});
const ALLOW_MONITORING = networkPolicy('allow-monitoring', 'production', {
  podSelector: {},
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }] }],
});
const NAMESPACES = [namespace('production'), namespace('monitoring'), namespace('kube-system'), namespace('default')];

describe('selector-matches-nothing', () => {
  it('names the label no namespace carries, and the kubectl label that fixes it (pitfall 2)', () => {
    const [finding] = judge(ALLOW_MONITORING, { context: cluster(NAMESPACES) });
    expect(finding).toMatchObject({ rule: 'network-isolation', check: 'selector-matches-nothing', mode: 'warn', path: 'spec.ingress[0].from[0].namespaceSelector' });
    expect(finding?.message).toBe(
      'from[0]: namespaceSelector {purpose=monitoring} without podSelector matches no namespace, so this peer of spec.ingress[0] admits nothing: ' +
        'no namespace has the label purpose=monitoring; label the namespace to admit: kubectl label namespace monitoring purpose=monitoring',
    );
  });

  it('finds nothing once a namespace carries the label', () => {
    expect(checks(ALLOW_MONITORING, { context: cluster([namespace('production'), namespace('monitoring', { purpose: 'monitoring' })]) })).toEqual([]);
  });

  it('sees a label that is missing beside one that is there, with a pod selector (micro-segmentation)', () => {
    const frontend = networkPolicy('frontend-policy', 'production', {
      podSelector: { matchLabels: { app: 'web', tier: 'frontend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'production' } }, podSelector: { matchLabels: { app: 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const [finding] = judge(frontend, { context: cluster(NAMESPACES) });
    expect(finding?.message).toContain('no namespace has the label env=production; label the namespace to admit: kubectl label namespace production env=production');
    expect(checks(frontend, { context: cluster([namespace('production', { env: 'production' })]) })).toEqual([]);
  });

  it('says how to select a namespace by name when a selector asks for a `name` label no namespace carries', () => {
    const backend = networkPolicy('backend-policy', 'production', {
      podSelector: { matchLabels: { tier: 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: DNS_UDP_TCP }],
    });
    const found = judge(backend, { context: cluster([...NAMESPACES, backend]) });
    expect(found.map((finding) => finding.check)).toEqual(['selector-matches-nothing', 'egress-blocks-dns']);
    expect(found[0]?.message).toContain(
      'no namespace has the label name=kube-system; label the namespace to admit: kubectl label namespace kube-system name=kube-system; to select namespace kube-system by its name, use kubernetes.io/metadata.name: kube-system, which every namespace carries',
    );
  });

  it('names a namespace that does not exist, where every namespace is known', () => {
    const typo = networkPolicy('p', 'production', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitorin' } } }] }] });
    expect(judge(typo, { context: cluster(NAMESPACES) })[0]?.message).toContain('no namespace is named monitorin; create it, or correct the name');
  });

  it('in check, judges labels against the input but not a name that may exist elsewhere', () => {
    const input = cluster([namespace('production')], 'manifests');
    expect(checks(networkPolicy('dns', 'production', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_DNS], ports: DNS_UDP_TCP }] }), { context: input })).toEqual([]);
    const [finding] = judge(ALLOW_MONITORING, { context: input });
    expect(finding?.message).toContain('no Namespace in the input has the label purpose=monitoring; label the namespace to admit: kubectl label namespace <namespace> purpose=monitoring');
  });

  it.each<[string, Spec]>([
    ['a pod selector alone (the policy namespace)', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }] }],
    ['every namespace', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] }],
    ['every namespace but kube-system', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } }] }] }],
    ['an operator that cannot be decided', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'purpose', operator: 'Gt', values: ['1'] }] } }] }] }],
    ['an ingress rule not in effect', { podSelector: {}, policyTypes: ['Egress'], egress: [{}], ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }] }] }],
  ])('finds nothing for %s', (_name, spec) => {
    expect(checks(networkPolicy('p', 'production', spec), { context: cluster(NAMESPACES) })).toEqual([]);
  });

  it('finds nothing without namespaces to judge against', () => {
    expect(checks(ALLOW_MONITORING)).toEqual([]);
    expect(checks(ALLOW_MONITORING, { context: cluster([], 'manifests') })).toEqual([]);
    expect(checks(ALLOW_MONITORING, { context: cluster(NAMESPACES, 'cluster', 'unknown') })).toEqual([]);
  });

  it('reads the namespace selectors of Cilium and Calico', () => {
    const cilium: KubeObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'scrape' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.purpose': 'monitoring' } }] }] },
    };
    expect(checks(cilium, { context: cluster(NAMESPACES) })).toEqual(['selector-matches-nothing spec.ingress[0].fromEndpoints[0]']);
    const calico: KubeObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'scrape', namespace: 'production' },
      spec: { selector: 'all()', ingress: [{ action: 'Allow', source: { namespaceSelector: "purpose == 'monitoring'" } }] },
    };
    expect(checks(calico, { context: cluster(NAMESPACES) })).toEqual(['selector-matches-nothing spec.ingress[0].source.namespaceSelector']);
  });
});

describe('egress-blocks-dns', () => {
  it('flags a default-deny that isolates egress with nothing admitting DNS (pitfall 1)', () => {
    const found = judge(DENY_ALL, { context: cluster([DENY_ALL]) });
    expect(found.map((finding) => `${finding.check} ${finding.path} ${finding.mode}`)).toEqual(['egress-blocks-dns spec.policyTypes[1] warn']);
    expect(found[0]?.message).toBe(
      'egress is isolated for the pods this policy selects (spec.podSelector {}), and neither this policy nor any other policy in namespace production ' +
        'admits DNS from them (UDP and TCP port 53): they would stop resolving names; admit egress to the cluster\'s DNS on UDP and TCP port 53, ' +
        'e.g. to namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns',
    );
    expect(found[0]?.paths).toEqual(['spec.policyTypes[1]', 'spec.podSelector']);
  });

  it('finds nothing when another policy of the namespace admits DNS, or this one does', () => {
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL, ALLOW_DNS]) })).toEqual([]);
    const withDns = networkPolicy('default-deny-all', 'production', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [KUBE_SYSTEM_BY_NAME], ports: DNS_UDP_TCP }] });
    expect(checks(withDns, { context: cluster([]) })).toEqual([]);
  });

  it('flags DNS over UDP only, naming the policy that admits it', () => {
    const [finding] = judge(DENY_ALL_EGRESS, { context: cluster([DENY_ALL_EGRESS, ALLOW_DNS_UDP]) });
    expect(finding?.message).toBe(
      'egress is isolated for the pods this policy selects (spec.podSelector {}), and the policies that admit DNS from them (allow-dns) do so over UDP only: ' +
        'an answer too large for UDP is retried over TCP port 53 and fails; admit TCP port 53 beside UDP port 53',
    );
    // The micro-segmented backend of the guides: its own DNS rule is UDP only.
    const backend = networkPolicy('backend-policy', 'production', {
      podSelector: { matchLabels: { app: 'api', tier: 'backend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        { to: [KUBE_SYSTEM_BY_NAME], ports: [{ protocol: 'UDP', port: 53 }] },
      ],
    });
    expect(judge(backend, { context: cluster([backend]) })[0]?.message).toContain('(backend-policy) do so over UDP only');
  });

  it('flags pods of the policy that the DNS allows do not select', () => {
    const dnsForWeb = networkPolicy('dns-for-web', 'production', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: DNS_UDP_TCP }] });
    expect(judge(DENY_ALL, { context: cluster([DENY_ALL, dnsForWeb]) })[0]?.message).toContain('the policies that admit DNS (dns-for-web) select only some of them');
    // The same DNS allow for every pod the policy selects: nothing.
    const web = networkPolicy('web', 'production', { podSelector: { matchLabels: { app: 'web', tier: 'frontend' } }, policyTypes: ['Egress'] });
    expect(checks(web, { context: cluster([web, dnsForWeb]) })).toEqual([]);
  });

  it('does not count a DNS allow in another namespace', () => {
    const elsewhere = networkPolicy('allow-dns-egress', 'staging', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: DNS_UDP_TCP }] });
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL, elsewhere]) })).toEqual(['egress-blocks-dns spec.policyTypes[1]']);
  });

  it('judges an update with its new content, not the stored one', () => {
    const stored = networkPolicy('default-deny-all', 'production', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: DNS_UDP_TCP }] });
    expect(checks(DENY_ALL, { context: cluster([stored]), operation: 'UPDATE' })).toEqual(['egress-blocks-dns spec.policyTypes[1]']);
  });

  it('counts a DNS rule whose namespace selector matches no namespace as no DNS', () => {
    const wrongLabel = networkPolicy('allow-dns', 'production', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } } }], ports: DNS_UDP_TCP }] });
    expect(checks(DENY_ALL, { context: cluster([...NAMESPACES, DENY_ALL, wrongLabel]) })).toEqual(['egress-blocks-dns spec.policyTypes[1]']);
    expect(checks(DENY_ALL, { context: cluster([namespace('production', { name: 'production' }), namespace('kube-system', { name: 'kube-system' }), DENY_ALL, wrongLabel]) })).toEqual([]);
  });

  it.each<[string, Spec]>([
    ['an ingress-only policy', { podSelector: {}, policyTypes: ['Ingress'] }],
    ['egress open to everything', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }],
    ['DNS to anywhere on port 53', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: DNS_UDP_TCP }] }],
    ['DNS to a NodeLocal DNSCache address', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: DNS_UDP_TCP }] }],
    ['every port of UDP and TCP to kube-system', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [KUBE_SYSTEM_BY_NAME], ports: [{ protocol: 'UDP' }, { protocol: 'TCP' }] }] }],
  ])('finds nothing for %s', (_name, spec) => {
    expect(checks(networkPolicy('p', 'production', spec), { context: cluster([]) })).toEqual([]);
  });

  it('finds nothing without the policies of the namespace', () => {
    expect(checks(DENY_ALL)).toEqual([]);
  });

  it('reads Cilium: a DNS-proxy rule on port 53 admits DNS', () => {
    const cilium = (ports: unknown[]): KubeObject => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'external-api-egress', namespace: 'production' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        egress: [
          { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports, rules: { dns: [{ matchPattern: '*' }] } }] },
        ],
      },
    });
    expect(judge(cilium([{ port: '53', protocol: 'UDP' }]), { context: cluster([]) })[0]?.message).toContain('do so over UDP only');
    expect(checks(cilium([{ port: '53', protocol: 'ANY' }]), { context: cluster([]) })).toEqual([]);
  });

  it('counts an AdminNetworkPolicy that admits DNS, not a BaselineAdminNetworkPolicy (a NetworkPolicy decides before it)', () => {
    const dnsRule = { action: 'Allow', to: [{ namespaces: {} }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { protocol: 'TCP', port: 53 } }] };
    const admin: KubeObject = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'dns' }, spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'dns', ...dnsRule }] } };
    const baseline: KubeObject = { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: {} }, egress: [{ name: 'dns', ...dnsRule }] } };
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL, admin]) })).toEqual([]);
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL, baseline]) })).toEqual(['egress-blocks-dns spec.policyTypes[1]']);
  });

  it('counts a Calico GlobalNetworkPolicy that admits DNS for every pod', () => {
    const global: KubeObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'allow-dns' },
      spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } }, { action: 'Allow', protocol: 'TCP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } }] },
    };
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL, global]) })).toEqual([]);
  });
});

describe('system-namespace-default-deny', () => {
  const kubeSystemDenyAll = networkPolicy('default-deny-all', 'kube-system', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

  it('flags a default-deny in kube-system (pitfall 5), without any context', () => {
    const found = judge(kubeSystemDenyAll).filter((finding) => finding.check === 'system-namespace-default-deny');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ mode: 'warn', path: 'spec.podSelector', paths: ['spec.podSelector', 'spec.policyTypes[0]', 'spec.policyTypes[1]'] });
    expect(found[0]?.message).toBe(
      'spec.podSelector {} isolates every pod of namespace kube-system for ingress and egress: what no rule admits is refused for the cluster\'s own components there ' +
        '(DNS, the CNI, metrics-server, cloud controllers), which break; select only the pods you mean to isolate and admit what each needs ' +
        '(e.g. DNS on UDP and TCP port 53 to k8s-app: kube-dns), or leave the namespace out',
    );
  });

  it('finds nothing for a policy that selects kube-dns only (the guide\'s fix)', () => {
    const kubeDns = networkPolicy('kube-system-allow', 'kube-system', {
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [], ports: DNS_UDP_TCP }],
    });
    expect(checks(kubeDns)).toEqual([]);
  });

  it('finds nothing for a direction open to everything, or outside a system namespace', () => {
    expect(checks(networkPolicy('open', 'kube-system', { podSelector: {}, ingress: [{}] }))).toEqual([]);
    expect(checks(networkPolicy('deny', 'production', { podSelector: {}, policyTypes: ['Ingress'] }))).toEqual([]);
  });

  it('flags cluster-wide policies that take in kube-system', () => {
    const calico: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-egress' }, spec: { selector: 'all()', types: ['Egress'] } };
    expect(checks(calico)).toEqual(['system-namespace-default-deny spec.selector']);
    const cilium: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'web-only' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '443' }] }] }] } };
    expect(checks(cilium)).toEqual(['system-namespace-default-deny spec.endpointSelector']);
  });

  it('guards the configured system namespaces', () => {
    const config = testConfig({ rules: { 'network-isolation': { systemNamespaces: ['kube-system', 'monitoring'] } } });
    expect(checks(networkPolicy('deny', 'monitoring', { podSelector: {}, policyTypes: ['Ingress'] }), { config })).toEqual(['system-namespace-default-deny spec.podSelector']);
  });
});

describe('namespace-without-default-deny', () => {
  it('flags a namespace whose pods no policy isolates, on the Namespace', () => {
    const [finding] = judge(namespace('production'), { context: cluster([ALLOW_DNS], 'manifests') });
    expect(finding).toMatchObject({ check: 'namespace-without-default-deny', mode: 'audit', path: 'metadata.name' });
    expect(finding?.message).toBe(
      'not every pod of namespace production is isolated for ingress: no policy isolates its pods for ingress, so a pod no policy selects accepts connections from anywhere; ' +
        'add a default-deny (a NetworkPolicy with podSelector: {} and policyTypes: [Ingress]), then allow what each workload needs',
    );
  });

  it('finds nothing once a policy isolates every pod for the configured direction', () => {
    expect(checks(namespace('production'), { context: cluster([DENY_ALL_INGRESS]) })).toEqual([]);
    const egress = testConfig({ rules: { 'network-isolation': { defaultDenyDirection: 'egress' } } });
    expect(checks(namespace('production'), { context: cluster([DENY_ALL_INGRESS]), config: egress })).toEqual(['namespace-without-default-deny metadata.name']);
    const both = testConfig({ rules: { 'network-isolation': { defaultDenyDirection: 'both' } } });
    expect(judge(namespace('production'), { context: cluster([DENY_ALL_INGRESS]), config: both })[0]?.message).toContain('is isolated for egress: no policy isolates its pods for egress, so a pod no policy selects connects anywhere');
    expect(checks(namespace('production'), { context: cluster([DENY_ALL]), config: both })).toEqual([]);
  });

  it('names the policies that isolate only some pods', () => {
    const web = networkPolicy('web', 'production', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] });
    expect(judge(namespace('production'), { context: cluster([web]) })[0]?.message).toContain('web isolates only the pods it selects');
  });

  it('counts policies that isolate pods in every namespace', () => {
    const calico: KubeObject = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()', types: ['Ingress'] } };
    expect(checks(namespace('production'), { context: cluster([calico]) })).toEqual([]);
  });

  it('is not judged in admission, in a system namespace, or without policies to judge against', () => {
    expect(checks(namespace('production'), { context: cluster([], 'admission') })).toEqual([]);
    expect(checks(namespace('kube-system'), { context: cluster([]) })).toEqual([]);
    expect(checks(namespace('production'))).toEqual([]);
  });
});

describe('the rule', () => {
  it('is skipped in exempt namespaces and honours check modes', () => {
    const config = testConfig({ rules: { 'network-isolation': { checks: { 'egress-blocks-dns': 'enforce' } } } });
    expect(judge(DENY_ALL, { context: cluster([DENY_ALL]), config }).map((finding) => finding.mode)).toEqual(['enforce']);
    const off = testConfig({ rules: { 'network-isolation': { checks: { 'egress-blocks-dns': 'off' } } } });
    expect(judge(DENY_ALL, { context: cluster([DENY_ALL]), config: off })).toEqual([]);
    const exempt = testConfig({ rules: { 'network-isolation': { exemptNamespaces: ['production'] } } });
    const evaluation = evaluateObject(DENY_ALL, { config: exempt, operation: 'CREATE', cluster: cluster([DENY_ALL]) }, [networkIsolation]);
    expect(evaluation.rulesRun).toEqual([]);
  });

  it('does not judge a delete or a subresource', () => {
    expect(checks(DENY_ALL, { context: cluster([DENY_ALL]), operation: 'DELETE' })).toEqual([]);
    expect(networkIsolation.evaluate(DENY_ALL, { config: testConfig(), operation: 'UPDATE', subResource: 'status', cluster: cluster([DENY_ALL]) })).toEqual([]);
  });
});
