// Point questions about one direction: does it admit this connection (a protocol, a port, one peer)?
// What h15's isolation posture asks ("does the union of these rules admit DNS to kube-dns"), answered
// with the same model and the same reading of denies: an allow counts only where it surely matches, a
// deny or pass wherever it may (a selector that cannot be decided), so "admitted" is never overstated.
import { parseCidr } from './cidr.js';
import { contains } from './intervals.js';
import type { DirectionModel, PeerTerm, Protocol, RuleModel } from './model.js';
import { evaluate, NAME, not, inNamespace, selectsEveryPod, type Predicate } from './predicate.js';

/** A peer: a pod (by namespace and labels), or an address outside the cluster, or a pod with its address. */
export interface PeerQuery {
  pod?: { namespace: string; namespaceLabels?: Readonly<Record<string, string>>; labels?: Readonly<Record<string, string>> };
  /** An IP address, `10.0.0.7` or `fd00::7`. */
  address?: string;
}

export interface ConnectionQuery {
  protocol: Protocol;
  port: number;
  peer: PeerQuery;
}

function assignmentOf(pod: NonNullable<PeerQuery['pod']>): Map<string, string | undefined> {
  const assignment = new Map<string, string | undefined>([[NAME, pod.namespace]]);
  for (const [key, value] of Object.entries(pod.namespaceLabels ?? {})) assignment.set(`ns/${key}`, value);
  for (const [key, value] of Object.entries(pod.labels ?? {})) assignment.set(`pod/${key}`, value);
  return assignment;
}

/** Whether a term matches the peer: true, false, or undefined when it cannot be told. */
function termMatches(term: PeerTerm, peer: PeerQuery): boolean | undefined {
  const address = peer.address === undefined ? undefined : parseCidr(`${peer.address}/${peer.address.includes(':') ? 128 : 32}`);
  switch (term.kind) {
    case 'any':
      return true;
    case 'addresses':
      // A pod whose address is not given may or may not be in the block.
      if (!address) return peer.pod && term.inCluster ? undefined : false;
      if (address.family !== term.family || (peer.pod && !term.inCluster)) return false;
      return contains(term.ranges, address.range[0]);
    case 'pods':
      return peer.pod ? evaluate(term.match, assignmentOf(peer.pod)) : false;
    case 'entity':
      switch (term.entity) {
        case 'all':
          return true;
        case 'none':
          return false;
        case 'cluster':
          return peer.pod !== undefined ? true : undefined;
        case 'world':
        case 'world-ipv4':
        case 'world-ipv6':
          if (peer.pod) return false;
          if (!address) return undefined;
          return term.entity === 'world' || (term.entity === 'world-ipv4') === (address.family === 4);
        default:
          return peer.pod ? false : undefined;
      }
    default:
      return undefined;
  }
}

function ruleMatches(rule: RuleModel, query: ConnectionQuery): boolean | undefined {
  const onPort = rule.ports.some((term) => term.protocol === query.protocol && contains(term.ranges, query.port));
  if (!onPort) return false;
  let result: boolean | undefined = false;
  for (const term of rule.peers) {
    const matches = termMatches(term, query.peer);
    if (matches === true) return true;
    if (matches === undefined) result = undefined;
  }
  return result;
}

/**
 * Whether the direction surely admits the connection: an allow rule surely matches it, and no deny or
 * pass rule that applies before it (in an ordered direction) or at all (elsewhere) may match it.
 */
export function admitsConnection(direction: DirectionModel, query: ConnectionQuery): boolean {
  const blocking = (rule: RuleModel) => (rule.action === 'deny' || rule.action === 'pass') && ruleMatches(rule, query) !== false;
  for (const rule of direction.rules) {
    if (direction.ordered && blocking(rule)) return false;
    if (rule.action !== 'allow' || ruleMatches(rule, query) !== true) continue;
    return direction.ordered || !direction.rules.some(blocking);
  }
  return false;
}

/** DNS to a peer, on UDP 53 and on TCP 53. */
export function admitsDns(direction: DirectionModel, peer: PeerQuery): { udp: boolean; tcp: boolean } {
  return {
    udp: admitsConnection(direction, { protocol: 'UDP', port: 53, peer }),
    tcp: admitsConnection(direction, { protocol: 'TCP', port: 53, peer }),
  };
}

/** Whether a subject (or any pod predicate) selects every pod of one namespace. */
export function selectsEveryPodIn(match: Predicate, namespace: string): boolean {
  return selectsEveryPod([not(inNamespace(namespace)), match]);
}
