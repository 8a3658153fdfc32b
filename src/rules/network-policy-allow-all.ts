// Rule `network-policy-allow-all`: a NetworkPolicy must not open a direction to everything. A rule that
// admits every source (or destination) on every port undoes the isolation the policy's podSelector
// created, and one that admits every pod of every namespace lets any compromised workload in the
// cluster reach the selected pods. Both are usually a placeholder (`ingress: [{}]`) that was never
// narrowed.
//
// A direction is in effect when `spec.policyTypes` lists it; without policyTypes (or with an empty
// list, which the API server treats alike) Ingress always is, and Egress when `spec.egress` has rules.
// A rule admits every peer when `from`/`to` is absent or empty, or a peer is an ipBlock whose CIDR has
// prefix length 0 (`0.0.0.0/0`, `::/0`) and no `except`. It admits every pod in the cluster when a peer
// has an empty namespaceSelector and an absent or empty podSelector. It admits every port when `ports`
// is absent or empty, an entry has no `port`, or an entry's range covers 1-65535 (a named port restricts).
//
// Checks: `allow-all-ingress`/`allow-all-egress` (every peer, every port; enforce by default) and
// `allow-all-cluster-ingress`/`allow-all-cluster-egress` (every pod, every port; warn by default). A rule
// is reported once, under the broader check that applies to it.
import { isRecord } from './is-record.js';
import { isKind } from './kinds.js';
import { activeCheckMode } from './modes.js';
import type { ActiveMode, Finding, KubeObject, Rule, RuleContext } from './types.js';

const RULE = 'network-policy-allow-all';
const NETWORK_POLICY_KIND = { group: 'networking.k8s.io', kind: 'NetworkPolicy' } as const;

const ALLOW_ALL_INGRESS = { id: 'allow-all-ingress', description: 'No ingress rule admits every source on every port.', defaultMode: 'enforce' } as const;
const ALLOW_ALL_EGRESS = { id: 'allow-all-egress', description: 'No egress rule admits every destination on every port.', defaultMode: 'enforce' } as const;
const ALLOW_ALL_CLUSTER_INGRESS = { id: 'allow-all-cluster-ingress', description: 'No ingress rule admits every pod in every namespace on every port.', defaultMode: 'warn' } as const;
const ALLOW_ALL_CLUSTER_EGRESS = { id: 'allow-all-cluster-egress', description: 'No egress rule admits every pod in every namespace on every port.', defaultMode: 'warn' } as const;
const CHECKS = [ALLOW_ALL_INGRESS, ALLOW_ALL_EGRESS, ALLOW_ALL_CLUSTER_INGRESS, ALLOW_ALL_CLUSTER_EGRESS] as const;
type Check = (typeof CHECKS)[number];

interface Direction {
  policyType: 'Ingress' | 'Egress';
  rulesField: 'ingress' | 'egress';
  peersField: 'from' | 'to';
  allCheck: Check;
  clusterCheck: Check;
  /** How messages say what the rule admits, and whom to narrow it to. */
  everyone: string;
  everyPod: string;
  narrowPeers: string;
  narrowPods: string;
}

const DIRECTIONS: readonly Direction[] = [
  {
    policyType: 'Ingress',
    rulesField: 'ingress',
    peersField: 'from',
    allCheck: ALLOW_ALL_INGRESS,
    clusterCheck: ALLOW_ALL_CLUSTER_INGRESS,
    everyone: 'every source',
    everyPod: 'every pod of every namespace',
    narrowPeers: 'the pods, namespaces or CIDRs that need access',
    narrowPods: 'the pods that need access',
  },
  {
    policyType: 'Egress',
    rulesField: 'egress',
    peersField: 'to',
    allCheck: ALLOW_ALL_EGRESS,
    clusterCheck: ALLOW_ALL_CLUSTER_EGRESS,
    everyone: 'every destination',
    everyPod: 'every pod of every namespace',
    narrowPeers: 'the pods, namespaces or CIDRs it needs to reach',
    narrowPods: 'the pods it needs to reach',
  },
];

function nonEmptyArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

function isInEffect(spec: Record<string, unknown>, direction: Direction): boolean {
  const { policyTypes } = spec;
  if (nonEmptyArray(policyTypes)) return policyTypes.includes(direction.policyType);
  return direction.policyType === 'Ingress' || nonEmptyArray(spec[direction.rulesField]);
}

/** An empty label selector (`{}`) selects everything; absent counts as empty where the API says so. */
function isEmptySelector(selector: unknown): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isRecord(selector)) return false;
  const { matchLabels, matchExpressions } = selector;
  const noLabels = matchLabels === undefined || matchLabels === null || (isRecord(matchLabels) && Object.keys(matchLabels).length === 0);
  const noExpressions = matchExpressions === undefined || matchExpressions === null || (Array.isArray(matchExpressions) && matchExpressions.length === 0);
  return noLabels && noExpressions;
}

const ADDRESS_CHARACTERS = /^[0-9a-fA-F.:]+$/;

/** `0.0.0.0/0`, `::/0`, and any CIDR with prefix length 0: every address of its family. */
function isEverywhereCidr(cidr: unknown): boolean {
  if (typeof cidr !== 'string') return false;
  const [address, prefix, ...rest] = cidr.trim().split('/');
  return rest.length === 0 && prefix === '0' && address !== undefined && ADDRESS_CHARACTERS.test(address);
}

/** Why this rule admits every peer, or undefined when its peers restrict. */
function everyPeerReason(rule: Record<string, unknown>, direction: Direction): string | undefined {
  const peers = rule[direction.peersField];
  if (!nonEmptyArray(peers)) return `no "${direction.peersField}"`;
  for (const [index, peer] of peers.entries()) {
    if (!isRecord(peer) || !isRecord(peer.ipBlock)) continue;
    const { cidr, except } = peer.ipBlock;
    if (isEverywhereCidr(cidr) && !nonEmptyArray(except)) return `${direction.peersField}[${index}]: ipBlock ${String(cidr)}`;
  }
  return undefined;
}

/** Why this rule admits every pod of every namespace, or undefined. */
function everyPodReason(rule: Record<string, unknown>, direction: Direction): string | undefined {
  const peers = rule[direction.peersField];
  if (!Array.isArray(peers)) return undefined;
  for (const [index, peer] of peers.entries()) {
    if (!isRecord(peer) || !isRecord(peer.namespaceSelector)) continue;
    if (isEmptySelector(peer.namespaceSelector) && isEmptySelector(peer.podSelector)) {
      return `${direction.peersField}[${index}]: namespaceSelector {} without podSelector`;
    }
  }
  return undefined;
}

/** A numeric range over every port. A string is a named port (a container port's name): it restricts. */
function isFullRange(port: unknown, endPort: unknown): boolean {
  return typeof port === 'number' && typeof endPort === 'number' && port <= 1 && endPort >= 65535;
}

/** Why this rule admits every port, or undefined when its ports restrict. */
function everyPortReason(rule: Record<string, unknown>): string | undefined {
  const { ports } = rule;
  if (!nonEmptyArray(ports)) return 'no "ports"';
  for (const [index, entry] of ports.entries()) {
    // A null entry decodes to an empty one in the API server: no port, so every port.
    if (entry === null || (isRecord(entry) && (entry.port === undefined || entry.port === null))) return `ports[${index}]: no port`;
    if (!isRecord(entry)) continue;
    if (isFullRange(entry.port, entry.endPort)) return `ports[${index}]: ${String(entry.port)}-${String(entry.endPort)}`;
  }
  return undefined;
}

function evaluateNetworkPolicy(object: KubeObject, context: RuleContext): Finding[] {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
  if (context.subResource || !isKind(object, NETWORK_POLICY_KIND) || !isRecord(object.spec)) return [];
  const { spec } = object;
  const ruleConfig = context.config.rules[RULE];
  const findings: Finding[] = [];
  const report = (check: Check, mode: ActiveMode, path: string, message: string) => {
    findings.push({ rule: RULE, check: check.id, mode, path, paths: [path], message });
  };

  for (const direction of DIRECTIONS) {
    const rules = spec[direction.rulesField];
    if (!isInEffect(spec, direction) || !Array.isArray(rules)) continue;
    const allMode = activeCheckMode(ruleConfig, direction.allCheck);
    const clusterMode = activeCheckMode(ruleConfig, direction.clusterCheck);
    for (const [index, value] of rules.entries()) {
      // A null rule decodes to an empty one in the API server: it admits everything.
      const rule = value === null ? {} : value;
      if (!isRecord(rule)) continue;
      const ports = everyPortReason(rule);
      if (ports === undefined) continue;
      const path = `spec.${direction.rulesField}[${index}]`;
      const peers = everyPeerReason(rule, direction);
      if (peers !== undefined && allMode) {
        report(
          direction.allCheck,
          allMode,
          path,
          `${direction.rulesField} rule admits ${direction.everyone} on every port (${peers}; ${ports}); ` +
            `narrow "${direction.peersField}" to ${direction.narrowPeers} and list their "ports"`,
        );
        continue;
      }
      const pods = everyPodReason(rule, direction);
      if (pods !== undefined && clusterMode) {
        report(
          direction.clusterCheck,
          clusterMode,
          path,
          `${direction.rulesField} rule admits ${direction.everyPod} on every port (${pods}; ${ports}); ` +
            `narrow the namespaceSelector or add a podSelector for ${direction.narrowPods} and list their "ports"`,
        );
      }
    }
  }
  return findings;
}

export const networkPolicyAllowAll: Rule<'network-policy-allow-all'> = {
  id: RULE,
  meta: {
    description: 'NetworkPolicies must not have rules that admit everything, or every pod in the cluster, on every port.',
    rationale:
      'A NetworkPolicy isolates the pods it selects; a rule that admits every peer on every port quietly undoes that isolation, ' +
      'and one that admits every pod of every namespace lets any compromised workload reach the selected pods.',
    appliesTo: [NETWORK_POLICY_KIND],
    checks: CHECKS,
  },
  evaluate: evaluateNetworkPolicy,
};
