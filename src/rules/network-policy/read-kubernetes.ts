// `networking.k8s.io/v1` NetworkPolicy into the common model
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/, API: NetworkPolicySpec).
//
// - Subject: `podSelector` in the policy's namespace.
// - A direction is in effect when `policyTypes` lists it; without policyTypes (or an empty list, which
//   the API server defaults alike) Ingress always is, and Egress when `spec.egress` has rules.
// - Rules add up (no deny). A rule's peers: `from`/`to` absent or empty is every peer; an `ipBlock` is
//   its addresses (`cidr` without `except`), and matches pods and nodes with those addresses too; a
//   `namespaceSelector` selects every pod of the namespaces it matches (narrowed by a `podSelector`
//   beside it); a `podSelector` alone selects pods of the policy's own namespace.
// - Ports: `ports` absent or empty is every port of every protocol; an entry is TCP unless it says
//   otherwise; an entry without `port` is every port of its protocol; `port`-`endPort` a range; a named
//   port restricts.
// A null rule, peer or port entry decodes to an empty one in the API server. Shapes the API server
// refuses (a `from` that is not a list, an ipBlock beside a selector) match nothing here.
import type { KubeObject } from '../types.js';
import { isRecord } from '../is-record.js';
import { isEmptySelector, labelSelectorPredicate, selectorText, type KeyMapping } from './label-selector.js';
import type { DirectionModel, DirectionName, PeerTerm, PolicyModel, PortTerm, RuleModel, Wording } from './model.js';
import { and, inNamespace, NAME, NAMESPACE_NAME_LABEL, TRUE, type Predicate } from './predicate.js';
import { addressTerms, everyPort, everyPortOf, isProtocol, namedPort, portRange, wholeNumber } from './terms.js';

export const namespaceLabel: KeyMapping = (key) => (key === NAMESPACE_NAME_LABEL ? NAME : `ns/${key}`);
export const podLabel: KeyMapping = (key) => `pod/${key}`;

const WORDING: Record<DirectionName, Wording> = {
  ingress: {
    narrowPeers: 'narrow "from" to the pods, namespaces or CIDRs that need access',
    narrowPods: 'narrow the namespaceSelector or add a podSelector for the pods that need access',
    ports: '"ports"',
  },
  egress: {
    narrowPeers: 'narrow "to" to the pods, namespaces or CIDRs it needs to reach',
    narrowPods: 'narrow the namespaceSelector or add a podSelector for the pods it needs to reach',
    ports: '"ports"',
  },
};

function nonEmptyArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

function isInEffect(spec: Record<string, unknown>, policyType: 'Ingress' | 'Egress', rules: unknown): boolean {
  const { policyTypes } = spec;
  if (nonEmptyArray(policyTypes)) return policyTypes.includes(policyType);
  return policyType === 'Ingress' || nonEmptyArray(rules);
}

function readPeer(peer: unknown, path: string, text: string, namespace: string): PeerTerm[] {
  if (!isRecord(peer)) return [];
  const { ipBlock, namespaceSelector, podSelector } = peer;
  const hasNamespaces = namespaceSelector !== undefined && namespaceSelector !== null;
  const hasPods = podSelector !== undefined && podSelector !== null;
  if (ipBlock !== undefined && ipBlock !== null) {
    if (!isRecord(ipBlock) || hasNamespaces || hasPods) return [];
    const except = Array.isArray(ipBlock.except) ? ipBlock.except : [];
    const exceptText = except.length > 0 ? ` except ${except.map(String).join(', ')}` : '';
    const paths = [`${path}.ipBlock.cidr`, ...(except.length > 0 ? [`${path}.ipBlock.except`] : [])];
    return addressTerms(ipBlock.cidr, except, true, { path: `${path}.ipBlock.cidr`, text: `${text}: ipBlock ${String(ipBlock.cidr)}${exceptText}` }, paths);
  }
  if (!hasNamespaces && !hasPods) return [];
  const namespaces: Predicate = hasNamespaces ? labelSelectorPredicate(namespaceSelector, namespaceLabel) : inNamespace(namespace);
  const pods: Predicate = hasPods ? labelSelectorPredicate(podSelector, podLabel) : TRUE;
  let description: string;
  if (!hasNamespaces) description = `podSelector ${selectorText(podSelector)}`;
  else if (!hasPods || isEmptySelector(podSelector)) description = `namespaceSelector ${selectorText(namespaceSelector)} ${hasPods ? 'with podSelector {}' : 'without podSelector'}`;
  else description = `namespaceSelector ${selectorText(namespaceSelector)} and podSelector ${selectorText(podSelector)}`;
  const paths = [...(hasNamespaces ? [`${path}.namespaceSelector`] : []), ...(hasPods ? [`${path}.podSelector`] : [])];
  return [{ kind: 'pods', match: and(namespaces, pods), source: { path, text: `${text}: ${description}` }, paths }];
}

function readPorts(ports: unknown, rulePath: string): PortTerm[] {
  if (ports === undefined || ports === null || (Array.isArray(ports) && ports.length === 0)) return everyPort({ path: rulePath, text: 'no "ports"' });
  if (!Array.isArray(ports)) return [];
  const terms: PortTerm[] = [];
  for (const [index, value] of ports.entries()) {
    const entry = value === null ? {} : value;
    if (!isRecord(entry)) continue;
    const protocol = entry.protocol ?? 'TCP';
    if (!isProtocol(protocol)) continue;
    const source = { path: `${rulePath}.ports[${index}]`, text: `ports[${index}]` };
    const { port, endPort } = entry;
    if (port === undefined || port === null) terms.push(everyPortOf(protocol, { ...source, text: `${source.text}: no port` }));
    else if (typeof port === 'string') terms.push(namedPort(protocol, { ...source, text: `${source.text}: named port ${port}` }));
    else if (wholeNumber(port) !== undefined && wholeNumber(endPort) !== undefined) {
      terms.push(portRange(protocol, port as number, endPort as number, { ...source, text: `${source.text}: ${String(port)}-${String(endPort)}` }));
    } else if (wholeNumber(port) !== undefined) terms.push(portRange(protocol, port as number, port as number, { ...source, text: `${source.text}: ${String(port)}` }));
  }
  return terms;
}

function readRule(value: unknown, index: number, direction: DirectionName, namespace: string): RuleModel | undefined {
  const rule = value === null ? {} : value;
  if (!isRecord(rule)) return undefined;
  const path = `spec.${direction}[${index}]`;
  const field = direction === 'ingress' ? 'from' : 'to';
  const peers = rule[field];
  let terms: PeerTerm[];
  if (peers === undefined || peers === null || (Array.isArray(peers) && peers.length === 0)) terms = [{ kind: 'any', source: { path, text: `no "${field}"` } }];
  else if (!Array.isArray(peers)) terms = [];
  else terms = peers.flatMap((peer, at) => readPeer(peer, `${path}.${field}[${at}]`, `${field}[${at}]`, namespace));
  return { path, index, action: 'allow', peers: terms, ports: readPorts(rule.ports, path) };
}

export function readKubernetesNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  const { spec } = object;
  if (!isRecord(spec)) return undefined;
  const namespace = object.metadata?.namespace ?? '';
  const directions: DirectionModel[] = (['ingress', 'egress'] as const).map((name) => {
    const rules = spec[name];
    const inEffect = isInEffect(spec, name === 'ingress' ? 'Ingress' : 'Egress', rules);
    return {
      name,
      path: `spec.${name}`,
      inEffect,
      isolates: inEffect,
      ordered: false,
      rules: Array.isArray(rules) ? rules.flatMap((rule, index) => readRule(rule, index, name, namespace) ?? []) : [],
      wording: WORDING[name],
    };
  });
  const podSelector = spec.podSelector === undefined || spec.podSelector === null ? TRUE : labelSelectorPredicate(spec.podSelector, podLabel);
  return {
    kind: 'NetworkPolicy.networking.k8s.io',
    tier: 'namespace',
    cidrMatchesCluster: true,
    units: [{ path: 'spec', subject: { path: 'spec.podSelector', match: and(inNamespace(namespace), podSelector), nodes: false }, directions }],
  };
}
