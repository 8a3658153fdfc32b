// Check `egress-blocks-dns` (warn): after this policy, the pods it selects are isolated for egress, and
// no policy of their namespace (this one included) admits DNS from them: UDP and TCP port 53, to any
// peer that can be a DNS server. The pods stop resolving names — the first of the five pitfalls of a
// default-deny. DNS over UDP alone is flagged too: an answer too large for UDP is retried over TCP.
//
// The policies: the context's for the namespace (the webhook's NetworkPolicies; `check`'s input; the
// audit's live policies of every API), with this one in place of its stored version. A policy admits DNS
// for the pods its subject selects when an allow rule of its egress direction in effect matches port
// 53 of the protocol (a Cilium DNS-proxy rule on 53 counts) and a peer that can be a DNS server: any
// peer, an address block, an entity other than `none`, something the analysis does not enumerate (a
// service, a domain), or pods in some namespace that exists. A baseline-tier policy
// (BaselineAdminNetworkPolicy) does not count: an isolating NetworkPolicy decides before it.
//
// Denies are not taken into account: a finding says DNS is refused, so an allow counts wherever it may
// apply and only a sure gap is reported. The gap is decided over the selectors: a pod this policy
// selects that no DNS-admitting policy selects (satisfiable(), exactly for equality, set and existence
// tests; a selector that cannot be decided is no gap). No policies known: no finding.
import { contains } from '../network-policy/intervals.js';
import { and, not, or, satisfiable, type DirectionModel, type PeerTerm, type Predicate, type Protocol } from '../network-policy/index.js';
import type { ClusterContextSource, ContextPolicy, NamespaceList } from '../types.js';
import { matchesSomeNamespace } from './namespace-match.js';
import { isolatingDirection, isolationPath, listText, opensEverything, policiesAround, policiesScope, subjectText, type PolicyUnderReview } from './policy-set.js';
import type { LocatedFinding } from './selector-matches-nothing.js';

export const EGRESS_BLOCKS_DNS = {
  id: 'egress-blocks-dns',
  description: 'Pods a policy isolates for egress can still reach DNS on UDP and TCP port 53.',
  defaultMode: 'warn',
} as const;

const DNS_PORT = 53;
const FIX = "admit egress to the cluster's DNS on UDP and TCP port 53, e.g. to namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns";

function mayBeDnsServer(term: PeerTerm, namespaces: NamespaceList | undefined): boolean {
  switch (term.kind) {
    case 'any':
    case 'other':
      return true;
    case 'addresses':
      return term.ranges.length > 0;
    case 'entity':
      return term.entity !== 'none';
    case 'pods':
      return (namespaces && namespaces.items.length > 0 ? matchesSomeNamespace(term.match, namespaces) : satisfiable(term.match)) !== false;
  }
}

/** Whether some allow rule of the direction may admit DNS over the protocol. */
function admitsDnsOver(direction: DirectionModel, protocol: Protocol, namespaces: NamespaceList | undefined): boolean {
  return direction.rules.some(
    (rule) =>
      rule.action === 'allow' &&
      [...rule.ports, ...(rule.l7Ports ?? [])].some((term) => term.protocol === protocol && contains(term.ranges, DNS_PORT)) &&
      rule.peers.some((term) => mayBeDnsServer(term, namespaces)),
  );
}

type Coverage = 'all' | 'some' | 'none';

interface DnsCovers {
  subjects: Predicate[];
  names: Set<string>;
}

function dnsCovers(policies: readonly ContextPolicy[], protocol: Protocol, namespaces: NamespaceList | undefined): DnsCovers {
  const covers: DnsCovers = { subjects: [], names: new Set() };
  for (const policy of policies) {
    if (policy.model.tier === 'baseline') continue;
    for (const unit of policy.model.units) {
      if (unit.subject.nodes) continue;
      const egress = unit.directions.find((direction) => direction.name === 'egress' && direction.inEffect);
      if (!egress || !admitsDnsOver(egress, protocol, namespaces)) continue;
      covers.subjects.push(unit.subject.match);
      covers.names.add(policy.name);
    }
  }
  return covers;
}

/** How many of the subject's pods the covers select: surely every one, surely some but not all, or (surely a gap and) none. */
function coverage(subject: Predicate, covers: DnsCovers): Coverage {
  if (covers.subjects.length === 0) return satisfiable(subject) === true ? 'none' : 'all';
  if (satisfiable(and(subject, not(or(...covers.subjects)))) !== true) return 'all';
  return satisfiable(and(subject, or(...covers.subjects))) === true ? 'some' : 'none';
}

function message(subject: string, scope: string, udp: Coverage, tcp: Coverage, names: readonly string[]): string {
  const opening = `egress is isolated for the pods this policy selects (${subject})`;
  if (udp === 'none' && tcp === 'none') return `${opening}, and neither this policy nor any other ${scope} admits DNS from them (UDP and TCP port 53): they would stop resolving names; ${FIX}`;
  const by = names.length > 0 ? ` (${listText(names)})` : '';
  if (udp === 'all') {
    return `${opening}, and the policies that admit DNS from them${by} do so over UDP only: an answer too large for UDP is retried over TCP port 53 and fails; admit TCP port 53 beside UDP port 53`;
  }
  if (tcp === 'all') return `${opening}, and the policies that admit DNS from them${by} do so over TCP only: lookups go over UDP port 53 first and fail; admit UDP port 53 beside TCP port 53`;
  return `${opening}, and the policies that admit DNS${by} select only some of them: the others would stop resolving names; ${FIX}`;
}

export function egressBlocksDns(policy: PolicyUnderReview, around: readonly ContextPolicy[] | undefined, namespaces: NamespaceList | undefined, source: ClusterContextSource): LocatedFinding[] {
  if (!around || policy.namespace === undefined) return [];
  const findings: LocatedFinding[] = [];
  let policies: ContextPolicy[] | undefined;
  for (const unit of policy.model.units) {
    const egress = isolatingDirection(unit, 'egress');
    if (unit.subject.nodes || !egress || opensEverything(egress)) continue;
    policies ??= policiesAround(policy, around);
    const udpCovers = dnsCovers(policies, 'UDP', namespaces);
    const tcpCovers = dnsCovers(policies, 'TCP', namespaces);
    const udp = coverage(unit.subject.match, udpCovers);
    const tcp = coverage(unit.subject.match, tcpCovers);
    if (udp === 'all' && tcp === 'all') continue;
    const path = isolationPath(policy.object, unit, egress);
    const names = [...new Set([...udpCovers.names, ...tcpCovers.names])];
    findings.push({ path, paths: [...new Set([path, unit.subject.path])], message: message(subjectText(policy.object, unit), policiesScope(source, policy.namespace), udp, tcp, names) });
  }
  return findings;
}
