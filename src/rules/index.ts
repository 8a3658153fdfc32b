// A few of the pure rules module's names in one import, for the server and the kube edge. The CLI,
// the checker and the audit import the modules they use directly.
export * from './types.js';
export { RULES, MUTATIONS, ruleById } from './registry.js';
export { evaluateObject, mutateObject, applicableRules, type Evaluation, type MutationResult, type RuleError } from './evaluate.js';
export { checkMode } from './modes.js';
export { groupOf, isKind, matchesAny, formatKind, NAMESPACE_KIND, namespaceOf } from './kinds.js';
export { podSecurityExemption } from './pod-security.js';
export { applyAdmissionDefaults } from './pod-security/defaulting.js';
export { podUnderReview, POD_BEARING_KINDS } from './pod-security/pod-spec.js';
export { evaluatePod, violationMessage, wouldViolateMessage } from './pod-security/evaluate.js';
export { defaultPolicy, policyFromLabels, podSecurityLabelsChanged, type NamespacePolicy } from './pod-security/policy.js';
export { isSignificantPodUpdate } from './pod-security/significant-update.js';
export * from './pod-security/level-version.js';
