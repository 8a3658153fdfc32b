// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy through the rule, as a user sees them.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { networkPolicyAllowAll } from '../network-policy-allow-all.js';
import type { Finding, KubeObject } from '../types.js';

const CONTEXT = { config: testConfig(), operation: 'CREATE' } as const;

function cnp(spec: Record<string, unknown>, clusterwide = false): KubeObject {
  return clusterwide
    ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec }
    : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'production' }, spec };
}

function findings(object: KubeObject): Finding[] {
  return networkPolicyAllowAll.evaluate(object, CONTEXT);
}

const found = (object: KubeObject) => findings(object).map((finding) => `${finding.check} ${finding.path}`);
const API = { matchLabels: { app: 'api', tier: 'backend' } };
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });

// The policies users copy from the guides, written as our own fixtures: none opens a direction to everything.
const SEEDS: Record<string, KubeObject> = {
  'L7 HTTP rules on port 8080 from the frontend': cnp({
    endpointSelector: API,
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web', tier: 'frontend' } }], toPorts: [{ ...tcp('8080'), rules: { http: [{ method: 'GET', path: '/api/v1/.*' }] } }] }],
  }),
  'Kafka topics from two services': cnp({
    endpointSelector: { matchLabels: { app: 'kafka' } },
    ingress: [
      { fromEndpoints: [{ matchLabels: { app: 'order-service' } }], toPorts: [{ ...tcp('9092'), rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] },
      { fromEndpoints: [{ matchLabels: { app: 'payment-service' } }], toPorts: [{ ...tcp('9092'), rules: { kafka: [{ role: 'consume', topic: 'payments' }] } }] },
    ],
  }),
  'FQDN egress on 443 and DNS to kube-dns through the DNS proxy': cnp({
    endpointSelector: API,
    egress: [
      { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.amazonaws.com' }], toPorts: [tcp('443')] },
      { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    ],
  }),
  'identity through fromRequires with L7 rules': cnp({
    endpointSelector: API,
    ingress: [{ fromRequires: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'frontend-sa' } }], toPorts: [{ ...tcp('8080'), rules: { http: [{ method: 'GET' }] } }] }],
  }),
  'clusterwide: every endpoint may reach kube-dns on UDP 53': cnp(
    { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] },
    true,
  ),
  'every endpoint of its own namespace': cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }], egress: [{ toEndpoints: [{}] }] }),
  'the default-deny spelling (an empty rule admits nothing in Cilium)': cnp({ endpointSelector: {}, ingress: [{}], egress: [{}] }),
  'the world alone: outside the cluster is not every peer': cnp({ endpointSelector: {}, egress: [{ toEntities: ['world'] }] }),
  '0.0.0.0/0 as a CIDR: outside the cluster only': cnp({ endpointSelector: {}, egress: [{ toCIDR: ['0.0.0.0/0'] }, { toCIDRSet: [{ cidr: '::/0' }] }] }),
  'all, but only HTTP through the proxy': cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '0' }], rules: { http: [{}] } }] }] }),
  'all, but only ICMP': cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'], icmps: [{ fields: [{ type: 8 }] }] }] }),
  'all, narrowed by fromRequires': cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }, { fromRequires: [{ matchLabels: { env: 'prod' } }] }] }),
  'an explicitly empty selector list selects nothing': cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [], toPorts: [tcp('0')] }] }),
  'cluster on DNS ports only': cnp({ endpointSelector: {}, egress: [{ toEntities: ['cluster'], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] }),
  'the none entity': cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['none'] }] }),
};

describe('network-policy-allow-all on Cilium policies', () => {
  it.each(Object.entries(SEEDS))('allows %s', (_name, object) => {
    expect(found(object)).toEqual([]);
  });

  it.each([
    { name: 'fromEntities: [all]', object: cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] }), findings: ['allow-all-ingress spec.ingress[0]'], reason: 'fromEntities[0]: all; no "toPorts"' },
    {
      name: 'world and cluster together',
      object: cnp({ endpointSelector: {}, egress: [{ toEntities: ['world', 'cluster'] }] }),
      findings: ['allow-all-egress spec.egress[0]'],
      reason: 'toEntities[0]: world and toEntities[1]: cluster together cover every destination in and outside the cluster (IPv4); no "toPorts"',
    },
    {
      name: 'an L4-only rule on port 0 (every peer, every port)',
      object: cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }] }),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no fromEndpoints, fromCIDR or fromEntities; toPorts[0].ports[0]: 0/ANY (every port)',
    },
    {
      name: 'an L4-only rule over a full range',
      object: cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '1', endPort: 65535, protocol: 'UDP' }] }] }] }),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no fromEndpoints, fromCIDR or fromEntities; toPorts[0].ports[0]: 1-65535/UDP',
    },
    {
      name: 'a clusterwide empty endpoint selector (every pod)',
      object: cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] }, true),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'fromEndpoints[0]: {}; no "toPorts"',
    },
    {
      name: 'every namespace through the namespace label',
      object: cnp({ endpointSelector: {}, egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }] }),
      findings: ['allow-all-cluster-egress spec.egress[0]'],
      reason: 'toEndpoints[0]: {k8s:io.kubernetes.pod.namespace Exists} (every pod carries k8s:io.kubernetes.pod.namespace, naming its namespace); no "toPorts"',
    },
    {
      name: 'clusterwide, every namespace through kubernetes.io/metadata.name',
      object: cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', operator: 'Exists' }] }] }] }, true),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'fromEndpoints[0]: {io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name Exists} (every namespace carries kubernetes.io/metadata.name); no "toPorts"',
    },
    {
      name: 'the specs list',
      object: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'production' }, specs: [{ endpointSelector: API, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }, { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] }] },
      findings: ['allow-all-ingress specs[1].ingress[0]'],
      reason: 'fromEntities[0]: all; no "toPorts"',
    },
    {
      name: 'all, less a denied world: still every pod',
      object: cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEntities: ['world'] }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'fromEntities[0]: all; no "toPorts"',
    },
    {
      name: 'a deny that takes away only UDP',
      object: cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] }] }),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'fromEntities[0]: all; no "toPorts"',
    },
  ])('flags $name', ({ object, findings: expected, reason }) => {
    const result = findings(object);
    expect(result.map((finding) => `${finding.check} ${finding.path}`)).toEqual(expected);
    expect(result[0]?.message).toContain(`(${reason})`);
  });

  it('adds rules up, and says which fields do it', () => {
    const [finding] = findings(
      cnp({
        endpointSelector: {},
        ingress: [{ toPorts: [{ ports: [{ port: '1', endPort: 32767, protocol: 'TCP' }] }] }, { toPorts: [{ ports: [{ port: '32768', endPort: 65535, protocol: 'TCP' }] }] }],
      }),
    );
    expect(finding).toMatchObject({
      check: 'allow-all-ingress',
      path: 'spec.ingress',
      paths: ['spec.ingress', 'spec.ingress[0]', 'spec.ingress[0].toPorts[0].ports[0]', 'spec.ingress[1]', 'spec.ingress[1].toPorts[0].ports[0]'],
    });
    expect(finding?.message).toBe(
      'ingress rules together admit every source on every port: spec.ingress[0] (no fromEndpoints, fromCIDR or fromEntities; toPorts[0].ports[0]: 1-32767/TCP) and ' +
        'spec.ingress[1] (no fromEndpoints, fromCIDR or fromEntities; toPorts[0].ports[0]: 32768-65535/TCP) together cover every source on every TCP port; ' +
        'narrow fromEndpoints, fromCIDRSet or fromEntities to the endpoints, CIDRs or entities that need access and list their "toPorts"',
    );
  });

  it('counts the world as CIDRs plus the whole cluster as entities', () => {
    const everything = cnp({
      endpointSelector: {},
      egress: [
        { toCIDRSet: [{ cidr: '0.0.0.0/1' }, { cidr: '128.0.0.0/1' }] },
        { toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] },
        { toEntities: ['host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged'] },
      ],
    });
    expect(found(everything)).toEqual(['allow-all-cluster-egress spec.egress[1]', 'allow-all-egress spec.egress']);
  });
});
