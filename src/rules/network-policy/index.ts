// The network policy analysis: what a policy admits, for every policy API clusters use. Pure (no I/O).
//
//   analyzePolicy(object) → PolicyModel | undefined
//     Reads a NetworkPolicy (networking.k8s.io/v1), CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy
//     (cilium.io/v2), Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3,
//     crd.projectcalico.org/v1), AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) or
//     ClusterNetworkPolicy (v1alpha2) into one model: units (Cilium `specs`) → subject + directions →
//     ordered rules → action, peers (addresses per family, pod predicates, Cilium entities) and ports
//     (per protocol), every term with the field path it came from. POLICY_KINDS lists the kinds.
//   admitsEverything(direction, { cidrMatchesCluster }) / admitsEveryPod(...) → Witness | undefined
//     The judgement over the union of a direction's rules (denies taken away), with the contributing
//     rules, peers and ports; `only: [rule]` judges one rule. coversEveryPortOfAProtocol(direction)
//     is the cheap question to ask first. ruleReason / directionReason / witnessPaths put a witness in
//     words and paths.
//   admitsConnection(direction, { protocol, port, peer }), admitsDns(direction, peer)
//     Point questions: does the direction surely admit this connection (DNS on UDP and TCP 53)?
//   direction.inEffect (its rules apply) and direction.isolates (traffic its rules do not admit is
//   refused); model.tier ('admin' | 'namespace' | 'baseline' | 'cni') says where it is evaluated.
//   Selectors: labelSelectorPredicate, calicoSelectorPredicate → Predicate; evaluate(predicate, labels),
//   selectsEveryPod(predicates) (with the guarantee every namespace carries kubernetes.io/metadata.name),
//   selectsEveryPodIn(predicate, namespace) for "does this policy select all pods of its namespace".
//   satisfiable(predicate, fixed) → true | false | undefined: can a selector match anything, given a
//   namespace (namespaceAssignment) or what others already select; podAssignment(ns, labels, labels) for evaluate.
export { analyzePolicy, POLICY_KINDS } from './analyze.js';
export { admitsEverything, admitsEveryPod, coversEveryPortOfAProtocol, type Coverage, type Goal, type JudgeOptions, type Witness, type WitnessPart } from './judge.js';
export { admitsConnection, admitsDns, selectsEveryPodIn, type ConnectionQuery, type PeerQuery } from './query.js';
export { directionReason, ruleReason, witnessPaths } from './witness-text.js';
export { calicoSelectorPredicate } from './calico-selector.js';
export { labelSelectorPredicate, selectorText } from './label-selector.js';
export { and, evaluate, not, or, selectsEveryPod, inNamespace, NAME, NAMESPACE_NAME_LABEL, type Predicate } from './predicate.js';
export { namespaceAssignment, podAssignment, satisfiable, type SatisfyOptions } from './satisfy.js';
export { parseCidr, type Family, type ParsedCidr } from './cidr.js';
export type * from './model.js';
export { EVERY_PORT, PROTOCOLS, CLUSTER_ENTITIES } from './model.js';
