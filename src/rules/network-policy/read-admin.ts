// sig-network's cluster policies into the common model (https://network-policy-api.sigs.k8s.io/,
// types: kubernetes-sigs/network-policy-api apis/v1alpha1 and apis/v1alpha2):
// `policy.networking.k8s.io/v1alpha1` AdminNetworkPolicy (actions Allow, Deny, Pass; evaluated before
// every NetworkPolicy) and BaselineAdminNetworkPolicy (Allow, Deny; after them), and `v1alpha2`
// ClusterNetworkPolicy (`tier: Admin` or `Baseline`; actions Accept, Deny, Pass).
//
// - Rules apply in order within a policy, first match wins; Deny and Pass never admit.
// - Peers: `namespaces` selects every pod of the namespaces it matches (`{}` every namespace); `pods`
//   narrows by a pod selector; `networks` are CIDRs and match cluster-internal addresses too ("if you
//   Allow ... 0.0.0.0/0, that will allow ... all IPv4 pod-to-pod traffic as well"); `nodes` and
//   `domainNames` restrict. A peer with no known field is, as the API says ("fail closed"), nothing
//   for an Allow and everything for a Deny or Pass.
// - Every peer: networks that together cover every address of a family (ingress peers are only pods
//   and namespaces, so an ingress rule can reach every pod, not every peer). Every pod: namespace and
//   pod selectors that together select every pod of every namespace.
// - Ports: absent is every port ("If Ports is not set then the rule does not filter traffic via
//   port"); v1alpha1 `portNumber`/`portRange` default to TCP; v1alpha2 `protocols` entries are tcp, udp
//   or sctp with a `destinationPort` number or range (none: every port of the protocol); named ports
//   restrict.
// - An admin-tier Allow (or Accept) overrides every namespace's own NetworkPolicies: findings say so.
import type { KubeObject } from '../types.js';
import { isRecord } from '../is-record.js';
import { labelSelectorPredicate, selectorText } from './label-selector.js';
import type { Action, DirectionModel, DirectionName, PeerTerm, PolicyModel, PortTerm, Protocol, RuleModel, Source, Tier, Wording } from './model.js';
import { and, TRUE, UNKNOWN, type Predicate } from './predicate.js';
import { namespaceLabel, podLabel } from './read-kubernetes.js';
import { addressTerms, everyPort, everyPortOf, isProtocol, namedPort, portRange, wholeNumber } from './terms.js';

type Api = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';

const ACTIONS: Record<string, Action> = { Allow: 'allow', Accept: 'allow', Deny: 'deny', Pass: 'pass' };

function wording(direction: DirectionName, api: Api, tier: Tier): Wording {
  const field = direction === 'ingress' ? 'from' : 'to';
  const who = direction === 'ingress' ? 'that need access' : 'it needs to reach';
  const ports = api === 'ClusterNetworkPolicy' ? '"protocols"' : '"ports"';
  const words: Wording = {
    narrowPeers: `narrow "${field}" to the namespaces, pods or networks ${who}`,
    narrowPods: `narrow the namespaces and pods selectors in "${field}" to the pods ${who}`,
    ports,
  };
  if (tier !== 'admin') return words;
  const what = api === 'AdminNetworkPolicy' ? 'an AdminNetworkPolicy Allow' : 'an Admin-tier Accept';
  return { ...words, consequence: `${what} overrides every namespace's own NetworkPolicies` };
}

function podsTerm(namespaces: Predicate, pods: Predicate, source: Source, paths: string[]): PeerTerm {
  return { kind: 'pods', match: and(namespaces, pods), source, paths };
}

function readPeer(peer: unknown, path: string, text: string, action: Action): PeerTerm[] {
  const fields = isRecord(peer) ? Object.keys(peer).filter((field) => peer[field] !== undefined && peer[field] !== null) : [];
  const [field] = fields;
  if (!isRecord(peer) || fields.length !== 1 || field === undefined) {
    // "Fail closed": an Allow matches nothing, a Deny or Pass everything.
    return action === 'allow' ? [] : [{ kind: 'any', source: { path, text } }];
  }
  const value = peer[field];
  const at = `${path}.${field}`;
  switch (field) {
    case 'namespaces':
      return [podsTerm(labelSelectorPredicate(value, namespaceLabel), TRUE, { path: at, text: `${text}: namespaces ${selectorText(value)}` }, [at])];
    case 'pods': {
      if (!isRecord(value)) return [podsTerm(UNKNOWN, UNKNOWN, { path: at, text }, [at])];
      const namespaces = labelSelectorPredicate(value.namespaceSelector ?? {}, namespaceLabel);
      const pods = labelSelectorPredicate(value.podSelector ?? {}, podLabel);
      const description = `pods in namespaces ${selectorText(value.namespaceSelector ?? {})} with podSelector ${selectorText(value.podSelector ?? {})}`;
      return [podsTerm(namespaces, pods, { path: at, text: `${text}: ${description}` }, [`${at}.namespaceSelector`, `${at}.podSelector`])];
    }
    case 'networks':
      if (!Array.isArray(value)) return [];
      return value.flatMap((cidr, index) => addressTerms(cidr, [], true, { path: `${at}[${index}]`, text: `${text}.networks[${index}]: ${String(cidr)}` }, [`${at}[${index}]`]));
    default:
      return [{ kind: 'other', source: { path: at, text: `${text}: ${field}` } }];
  }
}

/** v1alpha1 `ports`: portNumber, portRange (TCP unless said), namedPort. */
function readPorts(ports: unknown, rulePath: string): PortTerm[] {
  if (ports === undefined || ports === null) return everyPort({ path: rulePath, text: 'no "ports"' });
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((entry, index): PortTerm[] => {
    if (!isRecord(entry)) return [];
    const source = { path: `${rulePath}.ports[${index}]`, text: `ports[${index}]` };
    if (isRecord(entry.portNumber)) {
      const protocol = entry.portNumber.protocol ?? 'TCP';
      const port = wholeNumber(entry.portNumber.port);
      if (!isProtocol(protocol) || port === undefined) return [];
      return [portRange(protocol, port, port, { ...source, text: `${source.text}: ${port}/${protocol}` })];
    }
    if (isRecord(entry.portRange)) {
      const protocol = entry.portRange.protocol ?? 'TCP';
      const start = wholeNumber(entry.portRange.start);
      const end = wholeNumber(entry.portRange.end);
      if (!isProtocol(protocol) || start === undefined || end === undefined) return [];
      return [portRange(protocol, start, end, { ...source, text: `${source.text}: ${start}-${end}/${protocol}` })];
    }
    if (typeof entry.namedPort === 'string') return [namedPort('TCP', { ...source, text: `${source.text}: named port ${entry.namedPort}` })];
    return [];
  });
}

/** v1alpha2 `protocols`: tcp, udp or sctp with a destinationPort number or range; destinationNamedPort. */
function readProtocols(protocols: unknown, rulePath: string): PortTerm[] {
  if (protocols === undefined || protocols === null) return everyPort({ path: rulePath, text: 'no "protocols"' });
  if (!Array.isArray(protocols)) return [];
  return protocols.flatMap((entry, index): PortTerm[] => {
    if (!isRecord(entry)) return [];
    const source = { path: `${rulePath}.protocols[${index}]`, text: `protocols[${index}]` };
    for (const key of ['tcp', 'udp', 'sctp'] as const) {
      const match = entry[key];
      if (!isRecord(match)) continue;
      const protocol = key.toUpperCase() as Protocol;
      const port = match.destinationPort;
      if (!isRecord(port)) return [everyPortOf(protocol, { ...source, text: `${source.text}: ${key} without destinationPort` })];
      const number = wholeNumber(port.number);
      if (number !== undefined) return [portRange(protocol, number, number, { ...source, text: `${source.text}: ${key} ${number}` })];
      if (isRecord(port.range)) {
        const start = wholeNumber(port.range.start);
        const end = wholeNumber(port.range.end);
        if (start !== undefined && end !== undefined) return [portRange(protocol, start, end, { ...source, text: `${source.text}: ${key} ${start}-${end}` })];
      }
      return [];
    }
    if (typeof entry.destinationNamedPort === 'string') return [namedPort('TCP', { ...source, text: `${source.text}: named port ${entry.destinationNamedPort}` })];
    return [];
  });
}

function readRule(value: unknown, index: number, direction: DirectionName, api: Api): RuleModel | undefined {
  if (!isRecord(value)) return undefined;
  const action = typeof value.action === 'string' ? ACTIONS[value.action] : undefined;
  if (!action || (api === 'ClusterNetworkPolicy' ? value.action === 'Allow' : value.action === 'Accept')) return undefined;
  const path = `spec.${direction}[${index}]`;
  const field = direction === 'ingress' ? 'from' : 'to';
  const peersValue = value[field];
  const peers = Array.isArray(peersValue) && peersValue.length > 0
    ? peersValue.flatMap((peer, at) => readPeer(peer, `${path}.${field}[${at}]`, `${field}[${at}]`, action))
    : action === 'allow'
      ? []
      : [{ kind: 'any' as const, source: { path, text: `no "${field}"` } }];
  const ports = api === 'ClusterNetworkPolicy' ? readProtocols(value.protocols, path) : readPorts(value.ports, path);
  return { path, index, action, peers, ports };
}

function subjectOf(subject: unknown): Predicate {
  if (!isRecord(subject)) return UNKNOWN;
  if (isRecord(subject.namespaces)) return labelSelectorPredicate(subject.namespaces, namespaceLabel);
  if (isRecord(subject.pods)) return and(labelSelectorPredicate(subject.pods.namespaceSelector ?? {}, namespaceLabel), labelSelectorPredicate(subject.pods.podSelector ?? {}, podLabel));
  return UNKNOWN;
}

function readAdmin(object: KubeObject, api: Api): PolicyModel | undefined {
  const { spec } = object;
  if (!isRecord(spec)) return undefined;
  const tier: Tier = api === 'AdminNetworkPolicy' ? 'admin' : api === 'BaselineAdminNetworkPolicy' ? 'baseline' : spec.tier === 'Admin' ? 'admin' : 'baseline';
  const directions: DirectionModel[] = (['ingress', 'egress'] as const).map((name) => ({
    name,
    path: `spec.${name}`,
    inEffect: true,
    isolates: false,
    ordered: true,
    rules: Array.isArray(spec[name]) ? (spec[name] as unknown[]).flatMap((rule, index) => readRule(rule, index, name, api) ?? []) : [],
    wording: wording(name, api, tier),
  }));
  return {
    kind: `${api}.policy.networking.k8s.io`,
    tier,
    cidrMatchesCluster: true,
    units: [{ path: 'spec', subject: { path: 'spec.subject', match: subjectOf(spec.subject), nodes: false }, directions }],
  };
}

export function readAdminNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readAdmin(object, 'AdminNetworkPolicy');
}

export function readBaselineAdminNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readAdmin(object, 'BaselineAdminNetworkPolicy');
}

export function readClusterNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readAdmin(object, 'ClusterNetworkPolicy');
}
