// The contract of the pure rules module: what goes in (objects, context, config) and what comes out
// (findings, JSON Patch operations). Nothing here may import I/O, fastify or pino.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { PolicyModel } from './network-policy/model.js';

/** How a rule or check acts: deny, warn the user, record only, or not run. */
export type Mode = 'enforce' | 'warn' | 'audit' | 'off';
/** A mode in which a finding can actually be raised. */
export type ActiveMode = Exclude<Mode, 'off'>;

export const MODES: readonly Mode[] = ['enforce', 'warn', 'audit', 'off'];
const MODE_STRENGTH: Record<Mode, number> = { off: 0, audit: 1, warn: 2, enforce: 3 };

/** The weaker of two modes: a rule's mode caps what a check or a namespace asks for. */
export function weakerMode(a: Mode, b: Mode): Mode {
  return MODE_STRENGTH[a] <= MODE_STRENGTH[b] ? a : b;
}
export function modeStrength(mode: Mode): number {
  return MODE_STRENGTH[mode];
}

/** A Kubernetes object as it arrives: plain JSON, nothing guaranteed beyond being an object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  [field: string]: unknown;
}

export interface Finding {
  /** Rule ID, e.g. `pod-security`. */
  rule: string;
  /** Check ID within the rule, e.g. `privileged` (PSA's own IDs for pod-security). */
  check: string;
  /** The mode this finding was raised in. */
  mode: ActiveMode;
  /** Field path of the (first) offending field, e.g. `spec.containers[0].securityContext.privileged`. */
  path: string;
  /** Every offending field path; `path` is `paths[0]`. */
  paths: string[];
  /** Human message. For pod-security: PSA's `reason (detail)`. */
  message: string;
  /** pod-security only: the `level:version` policy that raised it, as the label said it (`restricted:latest`). */
  policy?: string;
  /**
   * The configured exception that excepts this finding, when one does: the finding is recorded, never
   * enforced or warned about, and `mode` is the mode it would have had.
   */
  exception?: string;
}

/** The requesting user, as the API server authenticated them (an AdmissionReview's `request.userInfo`). */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  /** What the authenticator added (scopes, the node or pod name of a bound token, ...): part of who the user is. */
  extra?: Record<string, string[]>;
}

/**
 * The cluster's answer to "may the requesting user add, change or remove the guarded labels of this
 * namespace?" (RBAC, through a SubjectAccessReview), for `policy-label-guard`. `error` when the question
 * could not be asked or answered: the rule then fails closed.
 */
export type PolicyLabelAccess = { allowed: boolean; reason?: string | undefined } | { error: string };

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What the rules know of the namespace an object lives in (or of the Namespace being admitted). */
export interface NamespaceInfo {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** A network policy as the cluster context holds it: which one, and what it admits (its model), not the object. */
export interface ContextPolicy {
  /** `NetworkPolicy.networking.k8s.io`: the model's kind. */
  kind: string;
  name: string;
  /** Undefined for a cluster-scoped kind (CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy, ...). */
  namespace: string | undefined;
  model: PolicyModel;
}

/**
 * What the context of a network policy holds, by where it comes from:
 * - `admission`: the webhook's caches (every Namespace; the NetworkPolicies of the cluster). A request
 *   shows one object at a time, before those that follow it: a namespace is never judged whole.
 * - `manifests`: the objects of `policygate check`'s input (its Namespaces, its policies).
 * - `cluster`: the live objects the audit lists.
 */
export type ClusterContextSource = 'admission' | 'manifests' | 'cluster';

export interface NamespaceList {
  items: readonly NamespaceInfo[];
  /**
   * Whether these are every namespace there is (the webhook's cache, the audit). False for `check`:
   * other namespaces may exist, of which only the name (kubernetes.io/metadata.name) is known.
   */
  complete: boolean;
}

/**
 * The cluster around an object, for the rules that judge a policy together with others
 * (`network-isolation`). Synchronous and read-only: the edge gathers it before the rule runs. A method
 * answering undefined means "not known" (no cluster, a read that failed): the checks that need it find
 * nothing, never guess.
 */
export interface ClusterContext {
  source: ClusterContextSource;
  namespaces(): NamespaceList | undefined;
  /**
   * The policies that may select pods of this namespace: its own, and cluster-scoped ones the source
   * holds. The webhook holds NetworkPolicies only; `check` and the audit every kind the analysis reads.
   */
  policies(namespace: string): readonly ContextPolicy[] | undefined;
}

export interface RuleContext {
  config: PolicyConfig;
  operation: Operation;
  /**
   * The object's namespace, when known. Undefined means "not known": rules fall back to the
   * configured defaults (the webhook without a cluster, the offline checker for namespaces it
   * has not seen).
   */
  namespace?: NamespaceInfo | undefined;
  /**
   * For a request (the webhook, `review`, `check`): the namespace it is made in, AdmissionRequest's
   * `namespace` ('' when it names none). When set, it alone says which namespace an object is judged
   * in (exemptions, labels): the object's own metadata.namespace is its sender's to write. Undefined
   * for the audit, which reads objects as the API server stored them.
   */
  requestNamespace?: string | undefined;
  oldObject?: KubeObject | undefined;
  userInfo?: UserInfo | undefined;
  subResource?: string | undefined;
  /**
   * With a cluster, when a Namespace request changes guarded labels and the user is not among the
   * configured principals: whether the cluster's RBAC lets them. Undefined without a cluster (the
   * webhook with --no-cluster, `review`, `check`): the principals alone decide.
   */
  policyLabelAccess?: PolicyLabelAccess | undefined;
  /**
   * Milliseconds since the epoch, against which exceptions expire. Passed in by each edge (the rules
   * never read the clock). Without it, an exception that has an `expires` does not apply: forgetting
   * the clock enforces rather than excepts.
   */
  now?: number | undefined;
  /** The namespaces and network policies around the object (`network-isolation`). Undefined: nothing is known. */
  cluster?: ClusterContext | undefined;
}

/** A resource kind a rule applies to; group '' is the core group. */
export interface ResourceKind {
  group: string;
  kind: string;
}

export interface CheckMeta {
  id: string;
  description: string;
  /** The mode the check runs in when the configuration says nothing about it. */
  defaultMode: ActiveMode;
  /**
   * False for a check the webhook never runs (network-isolation's namespace-without-default-deny:
   * admission sees a Namespace before its policies). Enforcing it would refuse nothing, so the audit's
   * "as if enforced" keeps its configured mode. Default true.
   */
  judgedAtAdmission?: boolean;
}

export interface RuleMeta {
  description: string;
  /** Why the rule exists: what goes wrong in a cluster without it. */
  rationale: string;
  appliesTo: readonly ResourceKind[];
  checks: readonly CheckMeta[];
}

export interface Rule<Id extends RuleId = RuleId> {
  id: Id;
  meta: RuleMeta;
  /** Pure: same object and context, same findings, in a deterministic order. */
  evaluate(object: KubeObject, context: RuleContext): Finding[];
  /**
   * True when the rule applies the configured exceptions itself, more finely than whole findings
   * (pod-security: per container), marking each excepted finding's `exception`. Otherwise
   * evaluateObject excepts whole findings.
   */
  appliesExceptions?: boolean;
}

/** RFC 6902 operation; `path` is an RFC 6901 JSON Pointer. */
export type PatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export interface Mutation {
  id: string;
  description: string;
  appliesTo: readonly ResourceKind[];
  /** Whether the configuration turns this mutation on. */
  enabled(config: PolicyConfig): boolean;
  /** Pure and idempotent: applied to its own output it returns no operations. Never overrides a set value. */
  patch(object: KubeObject, context: RuleContext): PatchOperation[];
}

// ---------------------------------------------------------------------------------------------
// Configuration: the validated shape (loading and validation live in src/config/).

export type RuleId = 'namespace-required-labels' | 'network-isolation' | 'network-policy-allow-all' | 'pod-security' | 'policy-label-guard';

export interface RuleConfigBase {
  mode: Mode;
  /** Per-check modes; a check not listed uses its default mode, capped by the rule's mode. */
  checks: Record<string, Mode>;
  exemptNamespaces: string[];
}

export interface RequiredLabel {
  key: string;
  values?: string[];
  /** Always matched against the whole value. */
  pattern?: string;
  /** What the mutating webhook fills in when the label is absent. */
  default?: string;
}

export interface NamespaceRequiredLabelsConfig extends RuleConfigBase {
  labels: RequiredLabel[];
}

export type NetworkPolicyAllowAllConfig = RuleConfigBase;

/** The directions in which every pod of a namespace must be isolated (namespace-without-default-deny). */
export type DefaultDenyDirection = 'ingress' | 'egress' | 'both';
export const DEFAULT_DENY_DIRECTIONS: readonly DefaultDenyDirection[] = ['ingress', 'egress', 'both'];

export interface NetworkIsolationConfig extends RuleConfigBase {
  /** Namespaces whose components a default-deny breaks: system-namespace-default-deny guards them, and no default-deny is asked of them. */
  systemNamespaces: string[];
  defaultDenyDirection: DefaultDenyDirection;
}

export interface PodSecurityDefaults {
  enforce: string;
  'enforce-version': string;
  warn: string;
  'warn-version': string;
  audit: string;
  'audit-version': string;
}

export interface PodSecurityConfig extends RuleConfigBase {
  defaults: PodSecurityDefaults;
  exemptions: { usernames: string[]; runtimeClassNames: string[]; namespaces: string[] };
}

/** Who may add, change or remove the labels that decide how strictly a namespace is policed. */
export interface PolicyLabelGuardConfig extends RuleConfigBase {
  principals: {
    users: string[];
    groups: string[];
    /** `namespace/name`. */
    serviceAccounts: string[];
  };
}

/** One NetworkPolicy of the zero-trust baseline: created as `name` in every namespace that gets the baseline. */
export interface NetworkBaselinePolicy {
  name: string;
  /** A `networking.k8s.io/v1` NetworkPolicy spec, as written in a manifest. */
  spec: Record<string, unknown>;
}

/** The opt-in controller that keeps a default-deny baseline in every namespace (see src/network-baseline/). */
export interface NetworkBaselineConfig {
  enabled: boolean;
  exemptNamespaces: string[];
  /** Create again a baseline policy that someone deleted (else only a restart or a new leader does). */
  recreateDeleted: boolean;
  policies: NetworkBaselinePolicy[];
}

/** What an exception applies to: every given field must match; an absent field matches anything. */
export interface ExceptionMatch {
  /** Namespace names, `*` globs allowed. A Namespace object is in its own namespace. */
  namespaces?: string[];
  /** Kinds as written in manifests (`DaemonSet`), matched against the object and its owners. */
  kinds?: string[];
  /** Object names, `*` globs allowed, matched against the object and its owners. */
  names?: string[];
  /** pod-security only: container names, `*` globs allowed. */
  containers?: string[];
  /** pod-security only: image references, `*` globs allowed. */
  images?: string[];
}

/** One entry of `exceptions`: findings of these checks on these objects are recorded, not enforced. */
export interface ExceptionConfig {
  name: string;
  reason: string;
  /** `2027-03-31` (valid through that day, UTC) or an RFC 3339 time. */
  expires?: string;
  match: ExceptionMatch;
  /** `rule/check` or `rule/*`. */
  checks: string[];
}

export interface PolicyConfig {
  rules: {
    'namespace-required-labels': NamespaceRequiredLabelsConfig;
    'network-isolation': NetworkIsolationConfig;
    'network-policy-allow-all': NetworkPolicyAllowAllConfig;
    'pod-security': PodSecurityConfig;
    'policy-label-guard': PolicyLabelGuardConfig;
  };
  mutations: {
    namespaceLabelDefaults: boolean;
    podSecurityContextDefaults: boolean;
  };
  networkBaseline: NetworkBaselineConfig;
  exceptions: ExceptionConfig[];
}
