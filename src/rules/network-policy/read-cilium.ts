// `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy into the common model
// (https://docs.cilium.io/en/stable/security/policy/language/, types: pkg/policy/api rule.go, ingress.go,
// egress.go, l4.go, entity.go; how a rule becomes policy: pkg/policy/utils RulesToPolicyEntries).
//
// - Units: `spec` and each entry of `specs`, each with its own endpointSelector (or nodeSelector, a
//   host policy). Unions count within a unit only: units may select different endpoints.
// - Peers of a rule: the union of its L3 fields. An L3 field present but empty (`fromEndpoints: []`)
//   selects nothing; no L3 field at all with `toPorts` or `icmps` is every peer on those ports; a rule
//   with neither (`{}`) admits nothing (Cilium: "Non-nil but empty L3 is implicitly treated as a
//   wildcard selector if any L4 PortRules are also specified", types.PolicyEntry).
//   - fromEndpoints/toEndpoints: pods by labels. In a CiliumNetworkPolicy a selector that does not name
//     `k8s:io.kubernetes.pod.namespace` is limited to the policy's namespace (so `{}` is every pod of the
//     namespace); in a CiliumClusterwideNetworkPolicy `{}` is every pod of the cluster. Namespace
//     labels are read through `io.cilium.k8s.namespace.labels.<key>` (clusterwide only; ignored in a
//     namespaced policy, which here means it does not select). A selector on `reserved:` labels or
//     any source other than `k8s:`/`any:` selects identities this analysis does not enumerate.
//   - fromCIDR/fromCIDRSet (cidr less `except`): addresses outside the cluster only ("CIDR rules do not
//     apply to traffic where both sides of the connection are either managed by Cilium or use an IP
//     belonging to a node", layer3 docs). A cidrGroupRef is not enumerated.
//   - fromEntities/toEntities: `all` is every peer; `world` (= world-ipv4 + world-ipv6) every address
//     outside the cluster; `cluster` every pod plus host, remote-node, kube-apiserver, ingress, init,
//     health and unmanaged; `none` nothing.
//   - toFQDNs, toServices, toGroups, fromGroups, fromNodes/toNodes: restricting, not enumerated.
// - Every peer: `all`, a wildcard rule, or every address of a family outside the cluster together
//   with all of the cluster. Every pod: `cluster`, `all`, or endpoint selectors that together select
//   every pod of every namespace.
// - Ports: no `toPorts` (and no `icmps`) is every port of every protocol. A `toPorts` entry with L7
//   `rules`, a `listener` or `serverNames` admits only what those allow, so it counts as no port; an
//   entry without `ports` counts as no port (the reading that refuses less: which ports it means is
//   not documented). A port is TCP, UDP, SCTP, or all three when `protocol` is ANY or absent; port
//   "0" (or no port) is every port of the protocol, `endPort` makes a range, a name restricts.
// - `ingressDeny`/`egressDeny` never admit; they win over allows whatever their place.
// - `fromRequires`/`toRequires` (removed in Cilium 1.19) narrow every rule of the unit: nothing in that
//   direction admits everything.
// - A direction's rules always apply; it isolates unless `enableDefaultDeny` says false for it.
import type { KubeObject } from '../types.js';
import { isRecord } from '../is-record.js';
import { isEmptySelector, labelSelectorPredicate, selectorText, type KeyMapping } from './label-selector.js';
import type { Action, DirectionModel, DirectionName, Entity, PeerTerm, PolicyModel, PolicyUnit, PortTerm, Protocol, RuleModel, Source, Wording } from './model.js';
import { and, inNamespace, mentionsVariable, NAME, TRUE, UNKNOWN, type Predicate } from './predicate.js';
import { namespaceLabel } from './read-kubernetes.js';
import { addressTerms, everyPort, everyPortOf, namedPort, portRange } from './terms.js';

const ENTITIES: ReadonlySet<string> = new Set<Entity>(['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged', 'none']);
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS = 'io.cilium.k8s.namespace.labels.';

function wording(direction: DirectionName): Wording {
  return direction === 'ingress'
    ? {
        narrowPeers: 'narrow fromEndpoints, fromCIDRSet or fromEntities to the endpoints, CIDRs or entities that need access',
        narrowPods: 'narrow the fromEndpoints selectors to the pods that need access',
        ports: '"toPorts"',
      }
    : {
        narrowPeers: 'narrow toEndpoints, toCIDRSet, toEntities or toFQDNs to the endpoints, CIDRs, entities or names it needs to reach',
        narrowPods: 'narrow the toEndpoints selectors to the pods it needs to reach',
        ports: '"toPorts"',
      };
}

/** A Cilium label key without its source: `k8s:app` and `any:app` are `app`; other sources are not pod labels. */
function plainKey(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon === -1) return key;
  const source = key.slice(0, colon);
  return source === 'k8s' || source === 'any' ? key.slice(colon + 1) : undefined;
}

function endpointMapping(clusterwide: boolean): KeyMapping {
  return (key) => {
    const plain = plainKey(key);
    if (plain === undefined) return undefined;
    if (plain === POD_NAMESPACE) return NAME;
    if (plain.startsWith(NAMESPACE_LABELS)) return clusterwide ? namespaceLabel(plain.slice(NAMESPACE_LABELS.length)) : undefined;
    return `pod/${plain}`;
  };
}

/** The pods an endpoint selector selects; in a namespaced policy, within its namespace unless it names one. */
function endpointPredicate(selector: unknown, clusterwide: boolean, namespace: string): Predicate {
  const predicate = labelSelectorPredicate(selector, endpointMapping(clusterwide));
  if (clusterwide || mentionsVariable(predicate, NAME)) return predicate;
  return and(inNamespace(namespace), predicate);
}

interface Fields {
  endpoints: string;
  cidr: string;
  cidrSet: string;
  entities: string;
  others: readonly string[];
  requires: string;
}

const FIELDS: Record<DirectionName, Fields> = {
  ingress: { endpoints: 'fromEndpoints', cidr: 'fromCIDR', cidrSet: 'fromCIDRSet', entities: 'fromEntities', others: ['fromGroups', 'fromNodes'], requires: 'fromRequires' },
  egress: { endpoints: 'toEndpoints', cidr: 'toCIDR', cidrSet: 'toCIDRSet', entities: 'toEntities', others: ['toFQDNs', 'toServices', 'toGroups', 'toNodes'], requires: 'toRequires' },
};

function readPeers(rule: Record<string, unknown>, path: string, direction: DirectionName, clusterwide: boolean, namespace: string): PeerTerm[] | undefined {
  const fields = FIELDS[direction];
  const l3 = [fields.endpoints, fields.cidr, fields.cidrSet, fields.entities, ...fields.others].filter((field) => rule[field] !== undefined && rule[field] !== null);
  if (l3.length === 0) return undefined;
  const terms: PeerTerm[] = [];
  for (const field of l3) {
    const values = rule[field];
    if (!Array.isArray(values)) continue;
    for (const [index, value] of values.entries()) {
      const at = `${path}.${field}[${index}]`;
      const text = `${field}[${index}]`;
      if (field === fields.endpoints) {
        const scope = !clusterwide && isEmptySelector(value) ? ' (the policy\'s namespace)' : '';
        terms.push({ kind: 'pods', match: endpointPredicate(value, clusterwide, namespace), source: { path: at, text: `${text}: ${selectorText(value)}${scope}` }, paths: [at] });
      } else if (field === fields.cidr) {
        terms.push(...addressTerms(value, [], false, { path: at, text: `${text}: ${String(value)}` }, [at]));
      } else if (field === fields.cidrSet) {
        if (!isRecord(value) || value.cidr === undefined) {
          terms.push({ kind: 'other', source: { path: at, text } });
          continue;
        }
        const except = Array.isArray(value.except) ? value.except : [];
        const exceptText = except.length > 0 ? ` except ${except.map(String).join(', ')}` : '';
        const paths = [`${at}.cidr`, ...(except.length > 0 ? [`${at}.except`] : [])];
        terms.push(...addressTerms(value.cidr, except, false, { path: `${at}.cidr`, text: `${text}: ${String(value.cidr)}${exceptText}` }, paths));
      } else if (field === fields.entities) {
        if (typeof value === 'string' && ENTITIES.has(value)) terms.push({ kind: 'entity', entity: value as Entity, source: { path: at, text: `${text}: ${value}` } });
      } else {
        terms.push({ kind: 'other', source: { path: at, text } });
      }
    }
  }
  return terms;
}

const RESTRICTING_PORT_RULE_FIELDS = ['rules', 'listener', 'serverNames'];

function isRestrictedByL7(portRule: Record<string, unknown>): boolean {
  return RESTRICTING_PORT_RULE_FIELDS.some((field) => {
    const value = portRule[field];
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) return value.length > 0;
    if (isRecord(value)) return Object.values(value).some((inner) => inner !== undefined && inner !== null && (!Array.isArray(inner) || inner.length > 0) && inner !== '');
    return true;
  });
}

function protocolsOf(protocol: unknown): Protocol[] {
  if (protocol === undefined || protocol === null || protocol === '' || protocol === 'ANY') return ['TCP', 'UDP', 'SCTP'];
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP' ? [protocol] : [];
}

/** One toPorts entry's ports. */
function portTermsOf(portRule: Record<string, unknown>, index: number, path: string): PortTerm[] {
  const terms: PortTerm[] = [];
  if (!Array.isArray(portRule.ports)) return terms;
  for (const [at, entry] of portRule.ports.entries()) {
    if (!isRecord(entry)) continue;
    const source: Source = { path: `${path}.toPorts[${index}].ports[${at}]`, text: `toPorts[${index}].ports[${at}]` };
    const protocols = protocolsOf(entry.protocol);
    const protocolText = typeof entry.protocol === 'string' ? entry.protocol : 'ANY';
    const port = typeof entry.port === 'number' ? String(entry.port) : entry.port;
    const endPort = typeof entry.endPort === 'number' ? entry.endPort : undefined;
    for (const protocol of protocols) {
      if (port === undefined || port === null || port === '' || port === '0') {
        terms.push(everyPortOf(protocol, { ...source, text: `${source.text}: ${String(port ?? 'no port')}/${protocolText} (every port)` }));
      } else if (typeof port === 'string' && /^\d+$/.test(port)) {
        const first = Number(port);
        const last = endPort !== undefined && endPort >= first ? endPort : first;
        terms.push(portRange(protocol, first, last, { ...source, text: `${source.text}: ${last === first ? port : `${port}-${last}`}/${protocolText}` }));
      } else {
        terms.push(namedPort(protocol, { ...source, text: `${source.text}: named port ${String(port)}` }));
      }
    }
  }
  return terms;
}

/** The rule's ports, and apart those it opens only for what an L7 section allows (DNS queries, HTTP paths). */
function readPorts(rule: Record<string, unknown>, path: string): { ports: PortTerm[]; l7Ports: PortTerm[] } {
  const { toPorts, icmps } = rule;
  const hasPorts = Array.isArray(toPorts) && toPorts.length > 0;
  const hasIcmps = Array.isArray(icmps) && icmps.length > 0;
  if (!hasPorts) return { ports: hasIcmps ? [] : everyPort({ path, text: 'no "toPorts"' }), l7Ports: [] };
  const ports: PortTerm[] = [];
  const l7Ports: PortTerm[] = [];
  for (const [index, portRule] of (toPorts as unknown[]).entries()) {
    if (!isRecord(portRule)) continue;
    (isRestrictedByL7(portRule) ? l7Ports : ports).push(...portTermsOf(portRule, index, path));
  }
  return { ports, l7Ports };
}

function readRule(value: unknown, path: string, index: number, action: Action, direction: DirectionName, clusterwide: boolean, namespace: string): RuleModel | undefined {
  if (!isRecord(value)) return undefined;
  const { ports, l7Ports } = readPorts(value, path);
  const hasL4 = (Array.isArray(value.toPorts) && value.toPorts.length > 0) || (Array.isArray(value.icmps) && value.icmps.length > 0);
  const fields = FIELDS[direction];
  let peers = readPeers(value, path, direction, clusterwide, namespace);
  if (peers === undefined) {
    const wildcard = `no ${fields.endpoints}, ${fields.cidr} or ${fields.entities}`;
    peers = hasL4 ? [{ kind: 'any', source: { path, text: wildcard } }] : [];
  }
  return { path, index, action, peers, ports, ...(l7Ports.length > 0 ? { l7Ports } : {}) };
}

/** A requires field that narrows: present with a selector that is not empty. */
function narrowing(rules: unknown[], path: string, field: string): Source | undefined {
  for (const [index, rule] of rules.entries()) {
    if (!isRecord(rule) || !Array.isArray(rule[field])) continue;
    if ((rule[field] as unknown[]).some((selector) => !isEmptySelector(selector))) return { path: `${path}[${index}].${field}`, text: field };
  }
  return undefined;
}

function readUnit(spec: Record<string, unknown>, path: string, clusterwide: boolean, namespace: string): PolicyUnit {
  const nodes = isRecord(spec.nodeSelector);
  const selector = nodes ? spec.nodeSelector : spec.endpointSelector;
  const subject = nodes ? UNKNOWN : selector === undefined || selector === null ? TRUE : endpointPredicate(selector, clusterwide, namespace);
  const defaultDeny = isRecord(spec.enableDefaultDeny) ? spec.enableDefaultDeny : {};
  const directions: DirectionModel[] = (['ingress', 'egress'] as const).map((name) => {
    const denyField = name === 'ingress' ? 'ingressDeny' : 'egressDeny';
    const allows = Array.isArray(spec[name]) ? (spec[name] as unknown[]) : [];
    const denies = Array.isArray(spec[denyField]) ? (spec[denyField] as unknown[]) : [];
    const rules = [
      ...allows.map((rule, index) => readRule(rule, `${path}.${name}[${index}]`, index, 'allow', name, clusterwide, namespace)),
      ...denies.map((rule, index) => readRule(rule, `${path}.${denyField}[${index}]`, allows.length + index, 'deny', name, clusterwide, namespace)),
    ].filter((rule): rule is RuleModel => rule !== undefined);
    const requires = FIELDS[name].requires;
    const narrowedBy = narrowing(allows, `${path}.${name}`, requires) ?? narrowing(denies, `${path}.${denyField}`, requires);
    const explicit = defaultDeny[name];
    const direction: DirectionModel = {
      name,
      path: `${path}.${name}`,
      inEffect: true,
      isolates: typeof explicit === 'boolean' ? explicit : allows.length + denies.length > 0,
      ordered: false,
      rules,
      wording: wording(name),
    };
    return narrowedBy ? { ...direction, narrowedBy } : direction;
  });
  return { path, subject: { path: `${path}.${nodes ? 'nodeSelector' : 'endpointSelector'}`, match: subject, nodes }, directions };
}

function readCilium(object: KubeObject, clusterwide: boolean): PolicyModel | undefined {
  const namespace = object.metadata?.namespace ?? '';
  const units: PolicyUnit[] = [];
  if (isRecord(object.spec)) units.push(readUnit(object.spec, 'spec', clusterwide, namespace));
  if (Array.isArray(object.specs)) for (const [index, spec] of object.specs.entries()) if (isRecord(spec)) units.push(readUnit(spec, `specs[${index}]`, clusterwide, namespace));
  if (units.length === 0) return undefined;
  return { kind: clusterwide ? 'CiliumClusterwideNetworkPolicy.cilium.io' : 'CiliumNetworkPolicy.cilium.io', tier: 'cni', cidrMatchesCluster: false, units };
}

export function readCiliumNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readCilium(object, false);
}

export function readCiliumClusterwideNetworkPolicy(object: KubeObject): PolicyModel | undefined {
  return readCilium(object, true);
}
