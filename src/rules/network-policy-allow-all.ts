// Rule `network-policy-allow-all`: a network policy must not open a direction to everything. A rule
// that admits every source (or destination) on every port undoes the isolation the policy created, and
// one that admits every pod of every namespace lets any compromised workload in the cluster reach the
// selected pods. Both are usually a placeholder (`ingress: [{}]`) that was never narrowed.
//
// The rule judges what a policy admits, not how it is spelled: src/rules/network-policy/ reads each
// API into one model (peers as address sets per family and pod selectors, ports per protocol) and
// decides whether the union of a direction's allow rules, less its denies, covers every peer (or every
// pod) on every port of TCP, UDP or SCTP. Each finding carries a witness: the fields that together
// admit everything, in the message and in `paths`.
//
// Per API, what counts as every peer, every pod and every port (the readers in src/rules/network-policy/
// say it field by field, with their sources). Where an API's meaning is unclear, the reading that
// refuses less is taken, and said where it is.
// - networking.k8s.io/v1 NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
//   every peer: `from`/`to` absent or empty, or ipBlocks that together cover every IPv4 (or IPv6)
//   address, `except` subtracted (CIDRs as the API server parses them: `0.0.0.0/00`, `::ffff:0.0.0.0/96`).
//   Every pod: namespaceSelectors (with podSelectors) that together select every pod of every namespace;
//   `kubernetes.io/metadata.name Exists` counts, as the API server sets that label on every namespace.
//   Every port: `ports` absent or empty, an entry without `port` (TCP unless it says), or ranges that
//   together cover 1-65535; a named port restricts. Directions are in effect per `policyTypes`.
// - cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (https://docs.cilium.io/en/stable/security/policy/language/):
//   every peer: `fromEntities`/`toEntities: [all]`, a rule with toPorts but no L3 field, or the world
//   (entity `world`, or CIDRs covering a family: Cilium's CIDRs never match in-cluster peers) together
//   with the whole cluster (`cluster`, or every pod plus every cluster entity). Every pod: `cluster`,
//   `all`, endpoint selectors that together select every pod (`{}` is the policy's namespace in a
//   CiliumNetworkPolicy, the cluster in the clusterwide kind). Every port: no `toPorts` (nor `icmps`),
//   port "0", or ranges covering 1-65535 per protocol (ANY is TCP, UDP and SCTP). `ingressDeny` and
//   `egressDeny` never admit and win over allows; an empty rule admits nothing, as in Cilium.
// - projectcalico.org/v3 (and crd.projectcalico.org/v1) NetworkPolicy / GlobalNetworkPolicy
//   (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy): rules in order; an
//   `Allow` whose source (ingress) or destination (egress) has no selector, nets or other match is every
//   peer, as are `nets` covering a family; `selector: all()` is every pod (of the policy's namespace
//   for the namespaced kind, unless a namespaceSelector such as `all()` widens it). `Deny`, `Pass` and
//   `Log` never admit; a Deny or Pass before an Allow takes away what it may match. No `protocol` is
//   every port of every protocol; a protocol without `destination.ports` every port of it.
// - policy.networking.k8s.io AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) and
//   ClusterNetworkPolicy (v1alpha2, tiers Admin and Baseline) (https://network-policy-api.sigs.k8s.io/):
//   rules in order; `Allow` (`Accept`) admits, `Deny` and `Pass` never do. `networks` covering a family
//   is every peer; `namespaces: {}` (or any union selecting every pod) is every pod; no `ports`
//   (`protocols`) is every port. An admin-tier allow overrides every namespace's own NetworkPolicies,
//   and its finding says so.
// Checks: `allow-all-ingress`/`allow-all-egress` (every peer, every port; enforce by default) and
// `allow-all-cluster-ingress`/`allow-all-cluster-egress` (every pod, every port; warn by default). A rule
// is reported once, at its path, under the broader check that applies to it; when only several rules
// together admit everything, one finding points at the direction (`spec.ingress`).
import { activeCheckMode } from './modes.js';
import { admitsEveryPod, admitsEverything, analyzePolicy, coversEveryPortOfAProtocol, directionReason, POLICY_KINDS, ruleReason, witnessPaths, type DirectionModel, type Witness } from './network-policy/index.js';
import type { ActiveMode, Finding, KubeObject, Rule, RuleContext } from './types.js';

const RULE = 'network-policy-allow-all';

const ALLOW_ALL_INGRESS = { id: 'allow-all-ingress', description: 'No ingress rule admits every source on every port.', defaultMode: 'enforce' } as const;
const ALLOW_ALL_EGRESS = { id: 'allow-all-egress', description: 'No egress rule admits every destination on every port.', defaultMode: 'enforce' } as const;
const ALLOW_ALL_CLUSTER_INGRESS = { id: 'allow-all-cluster-ingress', description: 'No ingress rule admits every pod in every namespace on every port.', defaultMode: 'warn' } as const;
const ALLOW_ALL_CLUSTER_EGRESS = { id: 'allow-all-cluster-egress', description: 'No egress rule admits every pod in every namespace on every port.', defaultMode: 'warn' } as const;
const CHECKS = [ALLOW_ALL_INGRESS, ALLOW_ALL_EGRESS, ALLOW_ALL_CLUSTER_INGRESS, ALLOW_ALL_CLUSTER_EGRESS] as const;
type Check = (typeof CHECKS)[number];

const CHECKS_OF = {
  ingress: { all: ALLOW_ALL_INGRESS, cluster: ALLOW_ALL_CLUSTER_INGRESS, everyone: 'every source' },
  egress: { all: ALLOW_ALL_EGRESS, cluster: ALLOW_ALL_CLUSTER_EGRESS, everyone: 'every destination' },
} as const;

function message(direction: DirectionModel, witness: Witness, several: boolean): string {
  const { wording } = direction;
  const admitted = witness.goal === 'every-peer' ? CHECKS_OF[direction.name].everyone : 'every pod of every namespace';
  const narrow = witness.goal === 'every-peer' ? wording.narrowPeers : wording.narrowPods;
  const consequence = wording.consequence ? `; ${wording.consequence}` : '';
  const opening = several
    ? `${direction.name} rules together admit ${admitted} on every port: ${directionReason(witness, direction.name)}`
    : `${direction.name} rule admits ${admitted} on every port (${ruleReason(witness, direction.name)})`;
  return `${opening}; ${narrow} and list their ${wording.ports}${consequence}`;
}

function evaluatePolicy(object: KubeObject, context: RuleContext): Finding[] {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
  if (context.subResource) return [];
  const model = analyzePolicy(object);
  if (!model) return [];
  const ruleConfig = context.config.rules[RULE];
  const findings: Finding[] = [];
  const report = (check: Check, mode: ActiveMode, path: string, witness: Witness, direction: DirectionModel, several: boolean) => {
    findings.push({ rule: RULE, check: check.id, mode, path, paths: witnessPaths(path, witness), message: message(direction, witness, several) });
  };
  const options = { cidrMatchesCluster: model.cidrMatchesCluster };

  for (const unit of model.units) {
    for (const direction of unit.directions) {
      // Most policies name a few ports: then nothing in the direction can admit everything.
      if (!direction.inEffect || !coversEveryPortOfAProtocol(direction)) continue;
      const checks = CHECKS_OF[direction.name];
      const allMode = activeCheckMode(ruleConfig, checks.all);
      const clusterMode = activeCheckMode(ruleConfig, checks.cluster);
      let everythingReported = false;
      let anyReported = false;
      for (const rule of direction.rules) {
        if (rule.action !== 'allow') continue;
        const alone = { ...options, only: [rule] };
        const everything = allMode && admitsEverything(direction, alone);
        if (allMode && everything) {
          report(checks.all, allMode, rule.path, everything, direction, false);
          everythingReported = anyReported = true;
          continue;
        }
        const everyPod = clusterMode && admitsEveryPod(direction, alone);
        if (clusterMode && everyPod) {
          report(checks.cluster, clusterMode, rule.path, everyPod, direction, false);
          anyReported = true;
        }
      }
      // Only several rules together: one finding at the direction.
      const everything = allMode && !everythingReported && admitsEverything(direction, options);
      if (allMode && everything) {
        report(checks.all, allMode, direction.path, everything, direction, true);
        anyReported = true;
      }
      const everyPod = clusterMode && !anyReported && admitsEveryPod(direction, options);
      if (clusterMode && everyPod) report(checks.cluster, clusterMode, direction.path, everyPod, direction, true);
    }
  }
  return findings;
}

export const networkPolicyAllowAll: Rule<'network-policy-allow-all'> = {
  id: RULE,
  meta: {
    description: 'Network policies must not admit everything, or every pod in the cluster, on every port.',
    rationale:
      'A network policy isolates the pods it selects; a rule that admits every peer on every port quietly undoes that isolation, ' +
      'and one that admits every pod of every namespace lets any compromised workload reach the selected pods.',
    appliesTo: POLICY_KINDS,
    checks: CHECKS,
  },
  evaluate: evaluatePolicy,
};
