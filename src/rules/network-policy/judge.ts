// The one judgement over the model: does a direction admit every peer (or every pod of every
// namespace) on every port of at least one protocol, and if so, which fields make it so.
//
// What a direction admits is the union of its allow rules, each a product of peers × ports, less what
// deny and pass rules take away. Unions count across the peers and ports of one rule and across rules:
// rule A may open ports 1-32767 to everyone and rule B 32768-65535. The ports of a protocol are cut
// into slices at every bound any rule names; on each slice the peers of the rules that cover it must
// cover the goal, and the same goal for every slice.
//
// Goals: every peer is every address of one family (IPv4 or IPv6), or no peer restriction; where
// address blocks only match peers outside the cluster (Cilium), every address of a family outside the
// cluster plus the whole cluster (its pods and every cluster entity). Every pod is the union of pod
// selectors selecting every pod of every namespace (predicate.ts), or no restriction, or Cilium's
// `cluster` or `all`.
//
// Denies refuse less: a deny or pass rule that may match part of a goal on a slice removes the allow
// rules it applies to from that slice (in an ordered direction only the allows after it; elsewhere
// every allow, as Cilium's denies win whatever their place). That undercounts what is admitted, never
// overcounts, so a finding is always true.
import { FAMILY_SIZE } from './cidr.js';
import { covers, intersects, union, type Interval, type IntervalSet } from './intervals.js';
import { CLUSTER_ENTITIES, EVERY_PORT, PROTOCOLS, type DirectionModel, type PeerTerm, type PortTerm, type Protocol, type RuleModel } from './model.js';
import { selectsEveryPod } from './predicate.js';

export type Goal = 'every-peer' | 'every-pod';
/** What the contributing peers cover: every peer there is, every address of a family, or every pod. */
export type Coverage = 'everyone' | 'ipv4' | 'ipv6' | 'pods';

export interface Witness {
  goal: Goal;
  coverage: Coverage;
  protocol: Protocol;
  /** The contributing rules, in their order, each with the peer and port terms of it that contribute. */
  parts: readonly WitnessPart[];
}

export interface WitnessPart {
  rule: RuleModel;
  peers: readonly PeerTerm[];
  ports: readonly PortTerm[];
}

export interface JudgeOptions {
  /** Whether address blocks match peers in the cluster too (the policy's `cidrMatchesCluster`). */
  cidrMatchesCluster: boolean;
  /** Judge only these allow rules (one rule alone); the direction's denies still apply. */
  only?: readonly RuleModel[];
}

type Alternative = 'ipv4' | 'ipv6' | 'pods';

function isEveryone(term: PeerTerm): boolean {
  return term.kind === 'any' || (term.kind === 'entity' && term.entity === 'all');
}

/** Past this many items a witness keeps them all rather than search for the fewest (bounded work). */
const MINIMISED_AT_MOST = 16;
/** Past this much work (port slices × candidate rules) a direction is not judged: it must not stall the webhook. */
const MAX_SLICE_WORK = 250_000;

/** The smallest subset (by removing what is not needed, in order) for which `ok` still holds. */
function minimal<T>(items: readonly T[], ok: (subset: readonly T[]) => boolean): T[] | undefined {
  if (items.length === 0 || !ok(items)) return undefined;
  if (items.length > MINIMISED_AT_MOST) return [...items];
  let kept = [...items];
  for (const item of items) {
    const without = kept.filter((candidate) => candidate !== item);
    if (without.length > 0 && ok(without)) kept = without;
  }
  return kept;
}

function coverAddresses(terms: readonly PeerTerm[], family: 4 | 6): PeerTerm[] | undefined {
  const blocks = terms.filter((term) => term.kind === 'addresses' && term.family === family);
  const full: Interval<bigint> = [0n, FAMILY_SIZE[family]];
  return minimal(blocks, (subset) => covers(union(...subset.map((term) => (term.kind === 'addresses' ? term.ranges : []))), full));
}

function coverPods(terms: readonly PeerTerm[]): PeerTerm[] | undefined {
  const cluster = terms.find((term) => term.kind === 'entity' && term.entity === 'cluster');
  if (cluster) return [cluster];
  const selectors = terms.filter((term) => term.kind === 'pods');
  return minimal(selectors, (subset) => selectsEveryPod(subset.map((term) => (term.kind === 'pods' ? term.match : { op: 'false' }))));
}

function entityTerm(terms: readonly PeerTerm[], ...entities: string[]): PeerTerm | undefined {
  return terms.find((term) => term.kind === 'entity' && entities.includes(term.entity));
}

/** Cilium: every address of a family outside the cluster, and everything in it. */
function coverOutsideAndCluster(terms: readonly PeerTerm[], family: 4 | 6): PeerTerm[] | undefined {
  const worldEntity = entityTerm(terms, 'world', family === 4 ? 'world-ipv4' : 'world-ipv6');
  const world = worldEntity ? [worldEntity] : coverAddresses(terms, family);
  if (!world) return undefined;
  const clusterEntity = entityTerm(terms, 'cluster');
  if (clusterEntity) return [...world, clusterEntity];
  const pods = coverPods(terms);
  if (!pods) return undefined;
  const others: PeerTerm[] = [];
  for (const entity of CLUSTER_ENTITIES) {
    const term = entityTerm(terms, entity);
    if (!term) return undefined;
    others.push(term);
  }
  return [...world, ...pods, ...others];
}

function cover(alternative: Alternative, terms: readonly PeerTerm[], cidrMatchesCluster: boolean): PeerTerm[] | undefined {
  const everyone = terms.find(isEveryone);
  if (everyone) return [everyone];
  if (alternative === 'pods') return coverPods(terms);
  const family = alternative === 'ipv4' ? 4 : 6;
  return cidrMatchesCluster ? coverAddresses(terms, family) : coverOutsideAndCluster(terms, family);
}

/** Whether a deny or pass term may match part of what the alternative needs (refusing less when unsure). */
function touches(term: PeerTerm, alternative: Alternative): boolean {
  switch (term.kind) {
    case 'addresses':
      return alternative === 'pods' ? term.inCluster : alternative === (term.family === 4 ? 'ipv4' : 'ipv6');
    case 'entity':
      switch (term.entity) {
        case 'none':
          return false;
        case 'all':
        case 'cluster':
          return true;
        case 'world-ipv4':
          return alternative === 'ipv4';
        case 'world-ipv6':
          return alternative === 'ipv6';
        default:
          return alternative !== 'pods';
      }
    default:
      return true;
  }
}

/** Each rule's ports per protocol, computed once: a policy is judged rule by rule and then whole. */
const PORTS = new WeakMap<RuleModel, Partial<Record<Protocol, IntervalSet<number>>>>();

function portsOf(rule: RuleModel, protocol: Protocol): IntervalSet<number> {
  let byProtocol = PORTS.get(rule);
  if (!byProtocol) {
    byProtocol = {};
    PORTS.set(rule, byProtocol);
  }
  let ranges = byProtocol[protocol];
  if (!ranges) {
    const terms = rule.ports.filter((term) => term.protocol === protocol);
    ranges = terms.length === 1 ? (terms[0] as PortTerm).ranges : union(...terms.map((term) => term.ranges));
    byProtocol[protocol] = ranges;
  }
  return ranges;
}

/** Whether the candidates' ports together cover every port (most often one of them alone does, or none is close). */
function portsCoverEverything(candidates: readonly Candidate[]): boolean {
  if (candidates.some((candidate) => covers(candidate.ranges, EVERY_PORT))) return true;
  return candidates.length > 1 && covers(union(...candidates.map((candidate) => candidate.ranges)), EVERY_PORT);
}

interface Candidate {
  rule: RuleModel;
  ranges: IntervalSet<number>;
}

function judgeAlternative(direction: DirectionModel, candidates: readonly Candidate[], goal: Goal, alternative: Alternative, protocol: Protocol, cidrMatchesCluster: boolean): Witness | undefined {

  const blockers: Candidate[] = [];
  for (const rule of direction.rules) {
    if (rule.action !== 'deny' && rule.action !== 'pass') continue;
    const ranges = portsOf(rule, protocol);
    if (ranges.length > 0 && rule.peers.some((term) => touches(term, alternative))) blockers.push({ rule, ranges });
  }
  const bounds = new Set<number>(EVERY_PORT);
  for (const { ranges } of [...candidates, ...blockers]) {
    for (const [start, end] of ranges) for (const bound of [start, end]) if (bound > EVERY_PORT[0] && bound < EVERY_PORT[1]) bounds.add(bound);
  }
  const cuts = [...bounds].sort((a, b) => a - b);
  // Refusing less rather than stalling: a direction this large is not judged (see README).
  if (cuts.length * (candidates.length + blockers.length) > MAX_SLICE_WORK) return undefined;
  /** Per contributing rule: its peer terms used, and the slices it was used on. */
  const used = new Map<RuleModel, { peers: Set<PeerTerm>; slices: Interval<number>[] }>();
  for (let at = 0; at + 1 < cuts.length; at++) {
    const slice: Interval<number> = [cuts[at] as number, cuts[at + 1] as number];
    const eligible = candidates.filter(
      (candidate) =>
        covers(candidate.ranges, slice) &&
        !blockers.some((blocker) => (!direction.ordered || blocker.rule.index < candidate.rule.index) && intersects(blocker.ranges, slice)),
    );
    const terms = cover(alternative, eligible.flatMap((candidate) => candidate.rule.peers), cidrMatchesCluster);
    if (!terms) return undefined;
    for (const term of terms) {
      const owner = eligible.find((candidate) => candidate.rule.peers.includes(term))?.rule as RuleModel;
      const entry = used.get(owner) ?? { peers: new Set<PeerTerm>(), slices: [] };
      entry.peers.add(term);
      entry.slices.push(slice);
      used.set(owner, entry);
    }
  }
  const parts: WitnessPart[] = [...used.entries()]
    .sort(([a], [b]) => a.index - b.index)
    .map(([rule, { peers, slices }]) => {
      const ports = rule.ports.filter((term) => term.protocol === protocol && term.ranges.length > 0);
      const needed = minimal(ports, (subset) => slices.every((slice) => covers(union(...subset.map((term) => term.ranges)), slice))) ?? ports;
      return { rule, peers: rule.peers.filter((term) => peers.has(term)), ports: needed };
    });
  const everyone = parts.every((part) => part.peers.every(isEveryone));
  return { goal, coverage: everyone ? 'everyone' : alternative, protocol, parts };
}

/**
 * Whether the allow rules' ports together cover every port of some protocol: without that nothing in
 * the direction can admit everything, and no rule alone can either. A cheap first question.
 */
export function coversEveryPortOfAProtocol(direction: DirectionModel): boolean {
  return PROTOCOLS.some((protocol) => {
    // Without allocating: the ports named must add up to at least every port (most policies stop here).
    let named = 0;
    for (const rule of direction.rules) {
      if (rule.action !== 'allow' || rule.peers.length === 0) continue;
      for (const term of rule.ports) if (term.protocol === protocol) for (const [start, end] of term.ranges) named += end - start;
    }
    if (named < EVERY_PORT[1] - EVERY_PORT[0]) return false;
    const candidates: Candidate[] = [];
    for (const rule of direction.rules) if (rule.action === 'allow' && rule.peers.length > 0) candidates.push({ rule, ranges: portsOf(rule, protocol) });
    return portsCoverEverything(candidates);
  });
}

function judge(direction: DirectionModel, goal: Goal, options: JudgeOptions): Witness | undefined {
  if (direction.narrowedBy) return undefined;
  const allows = (options.only ?? direction.rules).filter((rule) => rule.action === 'allow');
  if (allows.length === 0) return undefined;
  // The peers of every allow rule together, ports aside, must reach the goal: decided once, not per protocol.
  const everyPeer = allows.flatMap((rule) => rule.peers);
  const alternatives = (goal === 'every-peer' ? (['ipv4', 'ipv6'] as const) : (['pods'] as const)).filter((alternative) => cover(alternative, everyPeer, options.cidrMatchesCluster));
  if (alternatives.length === 0) return undefined;
  for (const protocol of PROTOCOLS) {
    const candidates: Candidate[] = [];
    for (const rule of allows) {
      const ranges = portsOf(rule, protocol);
      if (ranges.length > 0 && rule.peers.length > 0) candidates.push({ rule, ranges });
    }
    // The ports of all candidates together must cover every port before any peer is looked at.
    if (!portsCoverEverything(candidates)) continue;
    for (const alternative of alternatives) {
      const witness = judgeAlternative(direction, candidates, goal, alternative, protocol, options.cidrMatchesCluster);
      if (witness) return witness;
    }
  }
  return undefined;
}

/** Whether the direction admits every peer on every port of a protocol, with the fields that make it so. */
export function admitsEverything(direction: DirectionModel, options: JudgeOptions): Witness | undefined {
  return judge(direction, 'every-peer', options);
}

/** Whether the direction admits every pod of every namespace on every port of a protocol. */
export function admitsEveryPod(direction: DirectionModel, options: JudgeOptions): Witness | undefined {
  return judge(direction, 'every-pod', options);
}
