// The one model every policy API is read into: a policy has units (one per Cilium `specs` entry, else
// one), a unit selects its subject and has directions, a direction has ordered rules, and a rule has
// an action, the peers it matches and the ports it matches. Every peer and port term remembers the
// field it came from (`path`, in the dotted form src/manifests/locate.ts resolves) and how a message
// names it relative to its rule (`text`), so a judgement can point at every field that contributes.
import type { Family } from './cidr.js';
import type { Interval, IntervalSet } from './intervals.js';
import type { Predicate } from './predicate.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
/** Ports 1-65535 as a half-open interval. */
export const EVERY_PORT: Interval<number> = [1, 65536];

export type DirectionName = 'ingress' | 'egress';
/** `allow` admits; `deny` and `pass` end the evaluation of what they match without admitting it; `log` neither. */
export type Action = 'allow' | 'deny' | 'pass' | 'log';

/** Where a term comes from: the field's path, and how a message names it within its rule. */
export interface Source {
  path: string;
  text: string;
}

/** Cilium's entities (https://docs.cilium.io/en/stable/security/policy/language/#entities-based). */
export type Entity = 'all' | 'world' | 'world-ipv4' | 'world-ipv6' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'init' | 'health' | 'unmanaged' | 'none';
/** The entities `cluster` is made of besides the pods (Cilium's InitEntities). */
export const CLUSTER_ENTITIES: readonly Entity[] = ['host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged'];

export type PeerTerm =
  /** No restriction on the peer: every source or destination there is. */
  | { kind: 'any'; source: Source }
  /**
   * Addresses of one family. `inCluster`: whether pods and nodes whose address is in the set are matched
   * too (Kubernetes, Calico, AdminNetworkPolicy), or only peers outside the cluster (Cilium's CIDR rules).
   */
  | { kind: 'addresses'; family: Family; ranges: IntervalSet<bigint>; inCluster: boolean; source: Source; paths: readonly string[] }
  /** Pods, by namespace and pod labels (see predicate.ts). */
  | { kind: 'pods'; match: Predicate; source: Source; paths: readonly string[] }
  /** A Cilium entity. */
  | { kind: 'entity'; entity: Entity; source: Source }
  /** Anything this analysis does not enumerate (domain names, services, nodes, service accounts): restricting. */
  | { kind: 'other'; source: Source };

/** Ports of one protocol this term matches; empty `ranges` for a named port (restricting). */
export interface PortTerm {
  protocol: Protocol;
  ranges: IntervalSet<number>;
  source: Source;
}

export interface RuleModel {
  /** `spec.ingress[0]`. */
  path: string;
  /** Position within its direction: rules of an ordered direction apply first-match-first. */
  index: number;
  action: Action;
  /** The union of these is what the rule matches; none matches nothing. */
  peers: readonly PeerTerm[];
  ports: readonly PortTerm[];
  /**
   * Ports the rule opens only for what an L7 section allows (Cilium `rules`, `listener`, `serverNames`):
   * not in `ports`, as they never admit every connection, but DNS through Cilium's DNS proxy
   * (`rules: {dns: ...}` on port 53) is name resolution admitted.
   */
  l7Ports?: readonly PortTerm[];
}

/** How messages name a direction's fields, per API. */
export interface Wording {
  /** How to narrow the peers: `narrow "from" to the pods, namespaces or CIDRs that need access`. */
  narrowPeers: string;
  /** How to narrow pods: `narrow the namespaceSelector or add a podSelector for the pods that need access`. */
  narrowPods: string;
  /** `"ports"`, `"toPorts"`. */
  ports: string;
  /** Said after a finding, e.g. that an AdminNetworkPolicy Allow overrides NetworkPolicies. */
  consequence?: string;
}

export interface DirectionModel {
  name: DirectionName;
  /** `spec.ingress`, `specs[1].egress`. */
  path: string;
  /** Whether the direction's rules apply at all (NetworkPolicy policyTypes, Calico types). */
  inEffect: boolean;
  /**
   * Whether the policy isolates its subject in this direction: traffic its rules do not admit is
   * refused (NetworkPolicy and Calico in effect, Cilium unless enableDefaultDeny says otherwise). An
   * AdminNetworkPolicy never does: what its rules do not match goes on to the next tier.
   */
  isolates: boolean;
  /** Rules apply in order, first match wins (Calico, AdminNetworkPolicy); else allows add up and denies win (NetworkPolicy, Cilium). */
  ordered: boolean;
  rules: readonly RuleModel[];
  /** A field that narrows every rule of the direction (Cilium's fromRequires/toRequires): nothing admits everything. */
  narrowedBy?: Source;
  wording: Wording;
}

export interface SubjectModel {
  path: string;
  /** The pods the policy applies to; nodes for a Cilium host policy (`nodeSelector`). */
  match: Predicate;
  nodes: boolean;
}

export interface PolicyUnit {
  /** `spec`, or `specs[1]` for Cilium's list form. */
  path: string;
  subject: SubjectModel;
  directions: readonly DirectionModel[];
}

/** Where a policy sits in the order the data path evaluates policies in. */
export type Tier = 'admin' | 'namespace' | 'baseline' | 'cni';

export interface PolicyModel {
  /** `NetworkPolicy.networking.k8s.io`. */
  kind: string;
  tier: Tier;
  /** Whether address blocks (CIDRs) can match peers in the cluster (false for Cilium). */
  cidrMatchesCluster: boolean;
  units: readonly PolicyUnit[];
}
