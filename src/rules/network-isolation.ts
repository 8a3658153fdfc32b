// Rule `network-isolation`: a network policy judged in the context of its namespace and the cluster.
// What a pod may do is the union of every policy that selects it, and the failures that break clusters
// come from the set, not from one object: a default-deny that cuts DNS, a namespaceSelector on a label
// no namespace carries, a default-deny in kube-system, a namespace nobody isolated. One file per check
// (src/rules/network-isolation/), each opening with what it finds and why:
//
// - `selector-matches-nothing` (warn): a peer's namespace selector matches no namespace.
// - `egress-blocks-dns` (warn): the pods a policy isolates for egress are left without DNS.
// - `system-namespace-default-deny` (warn): every pod of kube-system (systemNamespaces) isolated.
// - `namespace-without-default-deny` (audit): a namespace whose pods are not all isolated; `check` and
//   the audit only.
//
// The context is RuleContext.cluster, the same for every edge (README "Rule network-isolation"): the
// webhook's Namespace and NetworkPolicy caches, `check`'s input, the audit's live objects. Where it is
// absent a check that needs it finds nothing. Every policy API of src/rules/network-policy/ is judged.
import { isKind, NAMESPACE_KIND } from './kinds.js';
import { activeCheckMode } from './modes.js';
import { analyzePolicy, POLICY_KINDS } from './network-policy/index.js';
import { EGRESS_BLOCKS_DNS, egressBlocksDns } from './network-isolation/egress-blocks-dns.js';
import { NAMESPACE_WITHOUT_DEFAULT_DENY, namespaceWithoutDefaultDeny } from './network-isolation/namespace-without-default-deny.js';
import type { PolicyUnderReview } from './network-isolation/policy-set.js';
import { SELECTOR_MATCHES_NOTHING, selectorMatchesNothing, type LocatedFinding } from './network-isolation/selector-matches-nothing.js';
import { SYSTEM_NAMESPACE_DEFAULT_DENY, systemNamespaceDefaultDeny } from './network-isolation/system-namespace-default-deny.js';
import type { ActiveMode, Finding, KubeObject, Rule, RuleContext } from './types.js';

const RULE = 'network-isolation';
const CHECKS = [SELECTOR_MATCHES_NOTHING, EGRESS_BLOCKS_DNS, SYSTEM_NAMESPACE_DEFAULT_DENY, NAMESPACE_WITHOUT_DEFAULT_DENY] as const;

function findingsOf(check: (typeof CHECKS)[number], mode: ActiveMode | undefined, located: () => LocatedFinding[]): Finding[] {
  if (!mode) return [];
  return located().map((finding) => ({ rule: RULE, check: check.id, mode, ...finding }));
}

function evaluateNamespace(object: KubeObject, context: RuleContext): Finding[] {
  const cluster = context.cluster;
  const name = object.metadata?.name;
  const ruleConfig = context.config.rules[RULE];
  // Admission sees a Namespace before the policies that come after it: never judged there.
  if (!cluster || cluster.source === 'admission' || typeof name !== 'string' || name === '' || ruleConfig.systemNamespaces.includes(name)) return [];
  return findingsOf(NAMESPACE_WITHOUT_DEFAULT_DENY, activeCheckMode(ruleConfig, NAMESPACE_WITHOUT_DEFAULT_DENY), () => {
    const policies = cluster.policies(name);
    return policies ? namespaceWithoutDefaultDeny(name, policies, ruleConfig.defaultDenyDirection) : [];
  });
}

function evaluatePolicy(object: KubeObject, context: RuleContext): Finding[] {
  const model = analyzePolicy(object);
  if (!model) return [];
  const ruleConfig = context.config.rules[RULE];
  const namespace = object.metadata?.namespace || undefined;
  const policy: PolicyUnderReview = { object, model, name: object.metadata?.name ?? '', namespace };
  const cluster = context.cluster;
  const namespaces = cluster?.namespaces();
  return [
    ...findingsOf(SELECTOR_MATCHES_NOTHING, activeCheckMode(ruleConfig, SELECTOR_MATCHES_NOTHING), () => selectorMatchesNothing(policy, namespaces)),
    ...findingsOf(EGRESS_BLOCKS_DNS, activeCheckMode(ruleConfig, EGRESS_BLOCKS_DNS), () =>
      cluster && namespace !== undefined ? egressBlocksDns(policy, cluster.policies(namespace), namespaces, cluster.source) : [],
    ),
    ...findingsOf(SYSTEM_NAMESPACE_DEFAULT_DENY, activeCheckMode(ruleConfig, SYSTEM_NAMESPACE_DEFAULT_DENY), () => systemNamespaceDefaultDeny(policy, ruleConfig.systemNamespaces)),
  ];
}

function evaluate(object: KubeObject, context: RuleContext): Finding[] {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
  if (context.subResource) return [];
  return isKind(object, NAMESPACE_KIND) ? evaluateNamespace(object, context) : evaluatePolicy(object, context);
}

export const networkIsolation: Rule<'network-isolation'> = {
  id: RULE,
  meta: {
    description: 'Network policies judged with their namespace and the cluster: DNS, namespace selectors, system namespaces, default-deny.',
    rationale:
      'What a pod may do is the union of every policy that selects it: a default-deny without a DNS allow, a namespaceSelector on a label no ' +
      'namespace carries, or a default-deny in kube-system breaks a cluster silently, and a namespace nobody isolated is open to every pod.',
    appliesTo: [...POLICY_KINDS, NAMESPACE_KIND],
    checks: CHECKS,
  },
  evaluate,
};
