// Calico NetworkPolicy and GlobalNetworkPolicy through the rule, as a user sees them.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { networkPolicyAllowAll } from '../network-policy-allow-all.js';
import type { Finding, KubeObject } from '../types.js';
import { calicoSelectorPredicate } from './calico-selector.js';
import { selectsEveryPod } from './predicate.js';

const CONTEXT = { config: testConfig(), operation: 'CREATE' } as const;

function gnp(spec: Record<string, unknown>, apiVersion = 'projectcalico.org/v3'): KubeObject {
  return { apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name: 'p' }, spec };
}

function np(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'production' }, spec };
}

const findings = (object: KubeObject): Finding[] => networkPolicyAllowAll.evaluate(object, CONTEXT);
const found = (object: KubeObject) => findings(object).map((finding) => `${finding.check} ${finding.path}`);

const SEEDS: Record<string, KubeObject> = {
  'DNS policy from the guide: domains on TCP 443, kube-dns on UDP 53': gnp({
    selector: 'app == "payment-service"',
    order: 100,
    types: ['Egress'],
    egress: [
      { action: 'Allow', protocol: 'TCP', destination: { domains: ['api.stripe.com', 'api.paypal.com'], ports: [443] } },
      { action: 'Allow', protocol: 'UDP', destination: { selector: 'k8s-app == "kube-dns"', ports: [53] } },
    ],
  }),
  'deny a compromised service first': gnp({ order: 50, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', source: { selector: 'app == "compromised-service"' } }] }),
  'a deny before the allow takes some peers away': gnp({ selector: 'all()', ingress: [{ action: 'Deny', source: { selector: "app == 'bad'" } }, { action: 'Allow' }] }),
  'a pass before the allow': gnp({ selector: 'all()', ingress: [{ action: 'Pass', source: { namespaceSelector: "team == 'ops'" } }, { action: 'Allow' }] }),
  'a deny of IPv4 nets and of IPv6 nets before the allow': gnp({ ingress: [{ action: 'Deny', source: { nets: ['10.0.0.0/8', 'fd00::/8'] } }, { action: 'Allow' }] }),
  'everyone but a network': gnp({ ingress: [{ action: 'Allow', source: { notNets: ['169.254.169.254/32'] } }] }),
  'ICMP only': gnp({ ingress: [{ action: 'Allow', protocol: 'ICMP' }] }),
  'every endpoint of its own namespace': np({ ingress: [{ action: 'Allow', source: { selector: 'all()' } }] }),
  'an allow in a direction not in types': gnp({ types: ['Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }),
  'log only': gnp({ ingress: [{ action: 'Log' }] }),
  'HTTP methods only': gnp({ ingress: [{ action: 'Allow', http: { methods: ['GET'] } }] }),
  'from one source port': gnp({ ingress: [{ action: 'Allow', protocol: 'UDP', source: { ports: [53] } }] }),
  'every namespace but kube-system': gnp({ ingress: [{ action: 'Allow', source: { namespaceSelector: "projectcalico.org/name != 'kube-system'" } }] }),
  'every port but one': gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { notPorts: [22] } }] }),
  'a rule without an action': gnp({ ingress: [{}] }, 'crd.projectcalico.org/v1'),
};

describe('network-policy-allow-all on Calico policies', () => {
  it.each(Object.entries(SEEDS))('allows %s', (_name, object) => {
    expect(found(object)).toEqual([]);
  });

  it.each([
    { name: 'an Allow with no source', object: gnp({ selector: 'all()', ingress: [{ action: 'Allow' }] }), findings: ['allow-all-ingress spec.ingress[0]'], reason: 'no "source" selector or nets; no "protocol"' },
    {
      name: 'nets that together cover IPv4',
      object: gnp({ types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/1', '128.0.0.0/1'] } }] }),
      findings: ['allow-all-egress spec.egress[0]'],
      reason: 'destination.nets[0]: 0.0.0.0/1 and destination.nets[1]: 128.0.0.0/1 together cover every IPv4 address; no "protocol"',
    },
    {
      name: 'TCP without ports',
      object: np({ ingress: [{ action: 'Allow', protocol: 'TCP' }] }),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no "source" selector or nets; protocol TCP without "destination.ports"',
    },
    {
      name: 'every endpoint of every namespace in a global policy',
      object: gnp({ ingress: [{ action: 'Allow', source: { selector: 'all()' } }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'source: selector all(); no "protocol"',
    },
    {
      name: 'namespaceSelector all() in a namespaced policy',
      object: np({ ingress: [{ action: 'Allow', source: { namespaceSelector: 'all()' } }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'source: namespaceSelector all(); no "protocol"',
    },
    {
      name: 'a namespaceSelector every namespace matches',
      object: np({ ingress: [{ action: 'Allow', source: { namespaceSelector: 'has(kubernetes.io/metadata.name)' } }] }),
      findings: ['allow-all-cluster-ingress spec.ingress[0]'],
      reason: 'source: namespaceSelector has(kubernetes.io/metadata.name) (every namespace carries kubernetes.io/metadata.name); no "protocol"',
    },
    {
      name: 'the crd.projectcalico.org/v1 form',
      object: gnp({ ingress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: ['1:65535'] } }] }, 'crd.projectcalico.org/v1'),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no "source" selector or nets; destination ports 1:65535',
    },
    {
      name: 'a deny after the allow changes nothing',
      object: gnp({ ingress: [{ action: 'Allow' }, { action: 'Deny', source: { nets: ['10.0.0.0/8'] } }] }),
      findings: ['allow-all-ingress spec.ingress[0]'],
      reason: 'no "source" selector or nets; no "protocol"',
    },
  ])('flags $name', ({ object, findings: expected, reason }) => {
    const result = findings(object);
    expect(result.map((finding) => `${finding.check} ${finding.path}`)).toEqual(expected);
    expect(result[0]?.message).toContain(`(${reason})`);
  });

  it('adds ordered rules up, and points at the direction', () => {
    const [finding] = findings(
      gnp({
        ingress: [
          { action: 'Allow', protocol: 'TCP', destination: { ports: ['1:32767'] } },
          { action: 'Allow', protocol: 'TCP', destination: { ports: ['32768:65535'] } },
        ],
      }),
    );
    expect(finding).toMatchObject({ check: 'allow-all-ingress', path: 'spec.ingress', paths: ['spec.ingress', 'spec.ingress[0].source', 'spec.ingress[0].destination.ports', 'spec.ingress[1].source', 'spec.ingress[1].destination.ports'] });
    expect(finding?.message).toContain('spec.ingress[0] (no "source" selector or nets; destination ports 1:32767) and spec.ingress[1] (no "source" selector or nets; destination ports 32768:65535) together cover every source on every TCP port');
  });

  it.each([
    ['all()', true],
    ['', true],
    ["has(team) || !has(team)", true],
    ["team == 'a' || team != 'a'", true],
    ["team in {'a', 'b'} || team not in {'a', 'b'}", true],
    ["(team == 'a') && all()", false],
    ["team contains 'a' || !has(team)", false],
    ['global()', false],
    ['has(', false],
    ["team == 'a", false],
  ])('reads the selector %j (every pod: %s)', (text, every) => {
    expect(selectsEveryPod([calicoSelectorPredicate(text, (key) => `pod/${key}`)])).toBe(every);
  });
});
