// Calico NetworkPolicy and GlobalNetworkPolicy (`projectcalico.org/v3`, and the `crd.projectcalico.org/v1`
// storage form some clusters apply directly) into the common model
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy and .../globalnetworkpolicy;
// types: api/pkg/apis/projectcalico/v3 policy_common.go).
//
// - Subject: `selector` (all() when empty), in the policy's namespace for a NetworkPolicy; for a
//   GlobalNetworkPolicy also `namespaceSelector`.
// - A direction's rules apply when `types` lists it; without `types`, a direction with rules does.
// - Rules apply in order, first match wins: `Allow` admits; `Deny` and `Pass` end the match without
//   admitting (Pass goes on to the next tier); `Log` neither, evaluation continues.
// - The peer is `source` for ingress and `destination` for egress; the admitted ports are
//   `destination.ports` (less `notPorts`) in both directions. A `source.ports` on an ingress rule (the
//   client's port) or an `http` match restricts what the rule admits, so such an Allow counts as
//   admitting nothing (for a Deny, as matching everything it names).
// - Every peer: a peer entity with no `nets`, `notNets`, `selector`, `notSelector`, `namespaceSelector`,
//   `serviceAccounts`, `services` or `domains` (Calico matches any source), or `nets` (less `notNets`) that together
//   cover every address of a family; nets match pods and hosts too. `ipVersion` keeps one family.
// - Every pod: selectors that together select every pod of every namespace: `selector: all()` without a
//   namespaceSelector selects every pod of the policy's namespace in a NetworkPolicy and of every
//   namespace in a GlobalNetworkPolicy; `namespaceSelector: all()` (or one every namespace matches:
//   `has(kubernetes.io/metadata.name)`, `has(projectcalico.org/name)`) selects every namespace.
//   `notSelector`, `notNets` alone, service accounts and services restrict.
// - Ports: no `protocol` is every protocol (`notProtocol` takes one away); TCP, UDP, SCTP (or 6, 17,
//   132) one; any other protocol no port. `destination.ports` absent is every port of the protocol;
//   entries are numbers, `first:last` ranges, or names (restricting).
import type { KubeObject } from '../types.js';
import { isRecord } from '../is-record.js';
import { calicoSelectorPredicate } from './calico-selector.js';
import { FAMILY_SIZE } from './cidr.js';
import { normalize, subtract, type IntervalSet } from './intervals.js';
import type { KeyMapping } from './label-selector.js';
import { EVERY_PORT, PROTOCOLS, type Action, type DirectionModel, type DirectionName, type PeerTerm, type PolicyModel, type PortTerm, type Protocol, type RuleModel, type Wording } from './model.js';
import { and, inNamespace, NAME, NAMESPACE_NAME_LABEL, TRUE } from './predicate.js';
import { addressTerms, wholeNumber } from './terms.js';

const calicoNamespaceLabel: KeyMapping = (key) => (key === NAMESPACE_NAME_LABEL || key === 'projectcalico.org/name' ? NAME : `ns/${key}`);
const calicoEndpointLabel: KeyMapping = (key) => (key === 'projectcalico.org/namespace' ? NAME : `pod/${key}`);

const ACTIONS: Record<string, Action> = { Allow: 'allow', Deny: 'deny', Pass: 'pass', Log: 'log' };
const PROTOCOL_NUMBERS: Record<string, Protocol> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP' };
const PEER_FIELDS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'serviceAccounts', 'services', 'domains'];

function wording(direction: DirectionName): Wording {
  const entity = direction === 'ingress' ? 'source' : 'destination';
  const who = direction === 'ingress' ? 'that need access' : 'it needs to reach';
  return {
    narrowPeers: `narrow "${entity}" to the selectors or nets ${who}`,
    narrowPods: `narrow the ${entity} selector or namespaceSelector to the pods ${who}`,
    ports: '"protocol" and "destination.ports"',
  };
}

function present(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

function protocolOf(value: unknown): Protocol | 'other' | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).toUpperCase();
  if (text === 'TCP' || text === 'UDP' || text === 'SCTP') return text;
  return PROTOCOL_NUMBERS[String(value)] ?? 'other';
}

function readPeers(entity: Record<string, unknown>, path: string, text: string, global: boolean, namespace: string, ipVersion: unknown): PeerTerm[] {
  const fields = PEER_FIELDS.filter((field) => present(entity[field]));
  if (fields.length === 0) {
    if (ipVersion === 4 || ipVersion === 6) {
      const family = ipVersion;
      return [{ kind: 'addresses', family, ranges: [[0n, FAMILY_SIZE[family]]], inCluster: true, source: { path, text: `no "${text}" selector or nets, ipVersion ${family}` }, paths: [path] }];
    }
    return [{ kind: 'any', source: { path, text: `no "${text}" selector or nets` } }];
  }
  const onlyNets = fields.every((field) => field === 'nets' || field === 'notNets') && fields.includes('nets');
  if (onlyNets && Array.isArray(entity.nets)) {
    const except = Array.isArray(entity.notNets) ? entity.notNets : [];
    const exceptText = except.length > 0 ? ` except ${except.map(String).join(', ')}` : '';
    return entity.nets.flatMap((net, index) => {
      const at = `${path}.nets[${index}]`;
      const terms = addressTerms(net, except, true, { path: at, text: `${text}.nets[${index}]: ${String(net)}${exceptText}` }, [at, ...(except.length > 0 ? [`${path}.notNets`] : [])]);
      return ipVersion === 4 || ipVersion === 6 ? terms.filter((term) => term.kind === 'addresses' && term.family === ipVersion) : terms;
    });
  }
  const onlySelectors = fields.every((field) => field === 'selector' || field === 'namespaceSelector');
  if (onlySelectors && ipVersion === undefined) {
    const selector = typeof entity.selector === 'string' ? entity.selector : '';
    const namespaceSelector = typeof entity.namespaceSelector === 'string' ? entity.namespaceSelector : undefined;
    const namespaces = namespaceSelector !== undefined ? calicoSelectorPredicate(namespaceSelector, calicoNamespaceLabel) : global ? TRUE : inNamespace(namespace);
    const match = and(namespaces, calicoSelectorPredicate(selector, calicoEndpointLabel));
    const parts = [...(namespaceSelector !== undefined ? [`namespaceSelector ${namespaceSelector}`] : []), ...(selector !== '' ? [`selector ${selector}`] : [])];
    const paths = fields.map((field) => `${path}.${field}`);
    return [{ kind: 'pods', match, source: { path, text: `${text}: ${parts.join(' and ')}` }, paths }];
  }
  return [{ kind: 'other', source: { path, text: `${text}: ${fields.join(', ')}` } }];
}

/** Ports of `destination.ports` less `notPorts`, as one range set; undefined when an entry is named. */
function portRanges(entity: Record<string, unknown>): IntervalSet<number> | 'named' {
  const ranges: [number, number][] = [];
  if (Array.isArray(entity.ports)) {
    for (const port of entity.ports) {
      const number = wholeNumber(port);
      const range = typeof port === 'string' ? /^(\d+)(?::(\d+))?$/.exec(port) : null;
      if (number !== undefined) ranges.push([number, number + 1]);
      else if (range) ranges.push([Number(range[1]), Number(range[2] ?? range[1]) + 1]);
      else return 'named';
    }
  } else {
    ranges.push(EVERY_PORT as [number, number]);
  }
  const removed: [number, number][] = [];
  if (Array.isArray(entity.notPorts)) {
    for (const port of entity.notPorts) {
      const number = wholeNumber(port);
      const range = typeof port === 'string' ? /^(\d+)(?::(\d+))?$/.exec(port) : null;
      if (number !== undefined) removed.push([number, number + 1]);
      else if (range) removed.push([Number(range[1]), Number(range[2] ?? range[1]) + 1]);
    }
  }
  return subtract(normalize(ranges), normalize(removed)).map(([start, end]) => [Math.max(start, EVERY_PORT[0]), Math.min(end, EVERY_PORT[1])] as const);
}

function readPorts(rule: Record<string, unknown>, destination: Record<string, unknown>, path: string): PortTerm[] {
  const protocol = protocolOf(rule.protocol);
  const notProtocol = protocolOf(rule.notProtocol);
  if (protocol === 'other') return [];
  const protocols = (protocol ? [protocol] : PROTOCOLS).filter((candidate) => candidate !== notProtocol);
  const ranges = portRanges(destination);
  const hasPorts = Array.isArray(destination.ports) || Array.isArray(destination.notPorts);
  let text: string;
  let at: string;
  if (hasPorts) {
    at = `${path}.destination.${Array.isArray(destination.ports) ? 'ports' : 'notPorts'}`;
    text = `destination ports ${Array.isArray(destination.ports) ? destination.ports.join(', ') : 'all'}${Array.isArray(destination.notPorts) ? ` except ${destination.notPorts.join(', ')}` : ''}`;
  } else if (protocol) {
    at = `${path}.protocol`;
    text = `protocol ${String(rule.protocol)} without "destination.ports"`;
  } else {
    at = path;
    text = notProtocol ? `protocol any but ${String(rule.notProtocol)}` : 'no "protocol"';
  }
  return protocols.map((candidate) => ({ protocol: candidate, ranges: ranges === 'named' ? [] : ranges, source: { path: at, text } }));
}

function readRule(value: unknown, index: number, direction: DirectionName, global: boolean, namespace: string): RuleModel | undefined {
  if (!isRecord(value)) return undefined;
  const action = typeof value.action === 'string' ? ACTIONS[value.action] : undefined;
  if (!action) return undefined;
  const path = `spec.${direction}[${index}]`;
  const peerField = direction === 'ingress' ? 'source' : 'destination';
  const peer = isRecord(value[peerField]) ? (value[peerField] as Record<string, unknown>) : {};
  const destination = isRecord(value.destination) ? value.destination : {};
  const source = isRecord(value.source) ? value.source : {};
  // A rule on the connection's source port, or on HTTP requests: an Allow admits less than its peers and ports say.
  const narrowed = present(source.ports) || present(source.notPorts) || present(value.http);
  const peers = action === 'allow' && narrowed ? [] : readPeers(peer, `${path}.${peerField}`, peerField, global, namespace, value.ipVersion);
  return { path, index, action, peers, ports: readPorts(value, destination, path) };
}

function isInEffect(spec: Record<string, unknown>, direction: DirectionName): boolean {
  const { types } = spec;
  if (Array.isArray(types) && types.length > 0) return types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
  const rules = spec[direction];
  const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  return direction === 'egress' ? egress : (Array.isArray(rules) && rules.length > 0) || !egress;
}

function readCalico(object: KubeObject, global: boolean): PolicyModel | undefined {
  const { spec } = object;
  if (!isRecord(spec)) return undefined;
  const namespace = object.metadata?.namespace ?? '';
  const selector = typeof spec.selector === 'string' ? spec.selector : '';
  const subjectNamespaces = global ? (typeof spec.namespaceSelector === 'string' ? calicoSelectorPredicate(spec.namespaceSelector, calicoNamespaceLabel) : TRUE) : inNamespace(namespace);
  const directions: DirectionModel[] = (['ingress', 'egress'] as const).map((name) => {
    const rules = Array.isArray(spec[name]) ? (spec[name] as unknown[]) : [];
    const inEffect = isInEffect(spec, name);
    return {
      name,
      path: `spec.${name}`,
      inEffect,
      isolates: inEffect,
      ordered: true,
      rules: rules.flatMap((rule, index) => readRule(rule, index, name, global, namespace) ?? []),
      wording: wording(name),
    };
  });
  const group = object.apiVersion?.startsWith('crd.') ? 'crd.projectcalico.org' : 'projectcalico.org';
  return {
    kind: `${global ? 'GlobalNetworkPolicy' : 'NetworkPolicy'}.${group}`,
    tier: 'cni',
    cidrMatchesCluster: true,
    units: [{ path: 'spec', subject: { path: 'spec.selector', match: and(subjectNamespaces, calicoSelectorPredicate(selector, calicoEndpointLabel)), nodes: false }, directions }],
  };
}

export function readCalicoNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readCalico(object, false);
}

export function readCalicoGlobalNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readCalico(object, true);
}
