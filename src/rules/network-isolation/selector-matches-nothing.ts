// Check `selector-matches-nothing` (warn): a peer whose namespace selector matches no namespace there
// is. `namespaceSelector: {matchLabels: {purpose: monitoring}}` when no namespace carries
// `purpose=monitoring` admits nothing, silently: the monitoring the rule was written for is refused.
// The finding names the label no namespace carries and how to add it (`kubectl label namespace ...`).
//
// Which peers: those whose selector reads namespaces, by a label (`ns/<key>`) or by the name label
// (`kubernetes.io/metadata.name`, Cilium's `k8s:io.kubernetes.pod.namespace`); a podSelector alone
// selects pods of the policy's own namespace, which exists. Every API's peers, every action but `log`.
//
// Against what: the context's namespaces. Where they are every namespace (webhook, audit), a selector
// matches nothing when no namespace can satisfy it. Where they are those of `check`'s input, other
// namespaces may exist, of which only the name is known: a selector on a label no Namespace of the
// input carries matches nothing, one that names a namespace by name (`kubernetes.io/metadata.name:
// kube-system`) does not. No namespaces known: no finding.
import { NAME, NAMESPACE_NAME_LABEL, type Predicate } from '../network-policy/predicate.js';
import type { PeerTerm, RuleModel } from '../network-policy/index.js';
import { matchesSomeNamespace, readsNamespaces } from './namespace-match.js';
import type { NamespaceInfo, NamespaceList } from '../types.js';
import { listText, type PolicyUnderReview } from './policy-set.js';

export const SELECTOR_MATCHES_NOTHING = {
  id: 'selector-matches-nothing',
  description: "A peer's namespace selector matches some existing namespace.",
  defaultMode: 'warn',
} as const;

export interface LocatedFinding {
  path: string;
  paths: string[];
  message: string;
}

/** A label a namespace must carry for the selector to match: a top-level `key=value`, `key in (..)`, `key` exists. */
interface Requirement {
  key: string;
  values: readonly string[] | undefined;
  byName: boolean;
}

function requirements(match: Predicate): Requirement[] {
  switch (match.op) {
    case 'and':
      return match.operands.flatMap(requirements);
    case 'in':
      if (match.variable.startsWith('ns/')) return [{ key: match.label ?? match.variable.slice(3), values: match.values, byName: false }];
      if (match.variable === NAME && match.label !== undefined) return [{ key: match.label, values: match.values, byName: true }];
      return [];
    case 'has':
      return match.variable.startsWith('ns/') ? [{ key: match.label ?? match.variable.slice(3), values: undefined, byName: false }] : [];
    default:
      return [];
  }
}

function satisfies(namespace: NamespaceInfo, requirement: Requirement): boolean {
  const value = requirement.byName ? namespace.name : namespace.labels[requirement.key];
  return value !== undefined && (requirement.values === undefined || requirement.values.includes(value));
}

function requirementText(requirement: Requirement): string {
  if (requirement.values === undefined) return requirement.key;
  return requirement.values.length === 1 ? `${requirement.key}=${requirement.values[0]}` : `${requirement.key} in (${requirement.values.join(', ')})`;
}

/** Keys people write for a namespace's name, which Kubernetes does not set. */
const NAME_LIKE_KEYS: ReadonlySet<string> = new Set(['name', 'namespace', 'kubernetes.io/name']);

/** Why nothing matches, and what to do about it. */
function explanation(match: Predicate, namespaces: NamespaceList): string {
  const where = namespaces.complete ? 'no namespace' : 'no Namespace in the input';
  const wanted = requirements(match);
  const missing = wanted.filter((requirement) => !namespaces.items.some((namespace) => satisfies(namespace, requirement)));
  const byName = missing.filter((requirement) => requirement.byName);
  const labels = missing.filter((requirement) => !requirement.byName);
  if (byName.length > 0) {
    const names = byName.flatMap((requirement) => requirement.values ?? []);
    return `${namespaces.complete ? 'no namespace is named' : 'no Namespace in the input is named'} ${listText(names)}; create it, or correct the name`;
  }
  if (labels.length > 0) {
    const [first] = labels as [Requirement];
    const value = first.values?.[0];
    const named = namespaces.items.find((namespace) => value !== undefined && namespace.name === value)?.name;
    const pinned = wanted.find((requirement) => requirement.byName && requirement.values?.length === 1)?.values?.[0];
    const target = pinned ?? named ?? '<namespace>';
    const command = labels.map((requirement) => `${requirement.key}=${requirement.values?.[0] ?? '<value>'}`).join(' ');
    const hint = labels.find((requirement) => NAME_LIKE_KEYS.has(requirement.key) && requirement.values?.length === 1);
    const byNameHint = hint ? `; to select namespace ${hint.values?.[0]} by its name, use ${NAMESPACE_NAME_LABEL}: ${hint.values?.[0]}, which every namespace carries` : '';
    return `${where} has the label${labels.length > 1 ? 's' : ''} ${listText(labels.map(requirementText))}; label the namespace to admit: kubectl label namespace ${target} ${command}${byNameHint}`;
  }
  return `${where} has all of the labels it asks for${wanted.length > 0 ? ` (${listText(wanted.map(requirementText))})` : ''}; label the namespace to admit, or correct the selector`;
}

function selectorPath(term: Extract<PeerTerm, { kind: 'pods' }>): string {
  return term.paths.find((path) => /namespaceSelector$|namespaces$/.test(path)) ?? term.paths[0] ?? term.source.path;
}

const OUTCOME: Record<RuleModel['action'], string> = { allow: 'admits nothing', deny: 'denies nothing', pass: 'passes nothing on', log: 'logs nothing' };

export function selectorMatchesNothing(policy: PolicyUnderReview, namespaces: NamespaceList | undefined): LocatedFinding[] {
  if (!namespaces || namespaces.items.length === 0) return [];
  const findings: LocatedFinding[] = [];
  for (const unit of policy.model.units) {
    for (const direction of unit.directions) {
      if (!direction.inEffect) continue;
      for (const rule of direction.rules) {
        if (rule.action === 'log') continue;
        for (const term of rule.peers) {
          if (term.kind !== 'pods' || !readsNamespaces(term.match)) continue;
          if (matchesSomeNamespace(term.match, namespaces) !== false) continue;
          const path = selectorPath(term);
          findings.push({
            path,
            paths: [...new Set([path, ...term.paths])],
            message: `${term.source.text} matches no namespace, so this peer of ${rule.path} ${OUTCOME[rule.action]}: ${explanation(term.match, namespaces)}`,
          });
        }
      }
    }
  }
  return findings;
}
