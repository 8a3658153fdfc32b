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
// Per API, what counts (every peer / every pod / every port), with the sources:
// - networking.k8s.io/v1 NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
//   every peer: `from`/`to` absent or empty, or ipBlocks that together cover every IPv4 (or IPv6)
//   address, `except` subtracted. Every pod: namespaceSelectors (with podSelectors) that together select
//   every pod of every namespace; a namespace selector on `kubernetes.io/metadata.name` that every name
//   satisfies counts (the API server sets that label on every namespace). Every port: `ports` absent or
//   empty, an entry without `port` (every port of its protocol, TCP by default), or ranges that together
//   cover 1-65535; a named port restricts. Directions are in effect per `policyTypes` (defaulted as the
//   API server does).
// Checks: `allow-all-ingress`/`allow-all-egress` (every peer, every port; enforce by default) and
// `allow-all-cluster-ingress`/`allow-all-cluster-egress` (every pod, every port; warn by default). A rule
// is reported once, at its path, under the broader check that applies to it; when only several rules
// together admit everything, one finding points at the direction (`spec.ingress`).
import { activeCheckMode } from './modes.js';
import { analyzePolicy, POLICY_KINDS } from './network-policy/analyze.js';
import { admitsEveryPod, admitsEverything, type Witness } from './network-policy/judge.js';
import type { DirectionModel } from './network-policy/model.js';
import { directionReason, ruleReason, witnessPaths } from './network-policy/witness-text.js';
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
      if (!direction.inEffect) continue;
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
