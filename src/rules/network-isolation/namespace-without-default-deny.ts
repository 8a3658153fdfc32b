// Check `namespace-without-default-deny` (audit): a namespace in which not every pod is isolated for
// ingress (configurable: egress, or both) by some policy. A pod no policy isolates accepts (or makes)
// every connection; a default-deny (`podSelector: {}` with the direction in `policyTypes`) first, then
// narrow allows, is the first step of every guide. Judged on the Namespace, against the policies that
// may select its pods (its own and cluster-scoped ones): "every pod" is every pod that could be there,
// decided over the selectors of the isolating policies together, not over today's pods.
//
// Only in `check` and the audit: admission sees a Namespace before the policies that follow it, so the
// webhook never judges it. Exempt: `systemNamespaces` (a default-deny there is the other check's
// finding) and the rule's exemptNamespaces.
import { inNamespace, not, selectsEveryPod, type DirectionName } from '../network-policy/index.js';
import type { ContextPolicy, DefaultDenyDirection } from '../types.js';
import { isolates, listText } from './policy-set.js';
import type { LocatedFinding } from './selector-matches-nothing.js';

export const NAMESPACE_WITHOUT_DEFAULT_DENY = {
  id: 'namespace-without-default-deny',
  description: 'Every pod of a namespace is isolated (ingress by default) by some policy: a default-deny. Judged by check and audit only.',
  defaultMode: 'audit',
  judgedAtAdmission: false,
} as const;

const DIRECTIONS: Record<DefaultDenyDirection, readonly DirectionName[]> = { ingress: ['ingress'], egress: ['egress'], both: ['ingress', 'egress'] };
const POLICY_TYPE: Record<DirectionName, string> = { ingress: 'Ingress', egress: 'Egress' };
const CONSEQUENCE: Record<DirectionName, string> = { ingress: 'accepts connections from anywhere', egress: 'connects anywhere' };

/** The policies that isolate some pods of the namespace for a direction, and whether together they isolate every pod. */
function isolation(namespace: string, policies: readonly ContextPolicy[], direction: DirectionName): { every: boolean; some: string[] } {
  const subjects = [];
  const names = new Set<string>();
  for (const policy of policies) {
    for (const unit of policy.model.units) {
      if (unit.subject.nodes || !unit.directions.some((candidate) => candidate.name === direction && isolates(candidate))) continue;
      subjects.push(unit.subject.match);
      names.add(policy.namespace === undefined ? `${policy.kind.split('.')[0] ?? policy.kind}/${policy.name}` : policy.name);
    }
  }
  return { every: selectsEveryPod([not(inNamespace(namespace)), ...subjects]), some: [...names] };
}

export function namespaceWithoutDefaultDeny(namespace: string, policies: readonly ContextPolicy[], wanted: DefaultDenyDirection): LocatedFinding[] {
  const missing = DIRECTIONS[wanted].map((direction) => ({ direction, ...isolation(namespace, policies, direction) })).filter((entry) => !entry.every);
  if (missing.length === 0) return [];
  const directions = listText(missing.map((entry) => entry.direction));
  const types = missing.map((entry) => POLICY_TYPE[entry.direction]).join(', ');
  const partial = [...new Set(missing.flatMap((entry) => entry.some))].sort();
  const today =
    partial.length > 0
      ? `${listText(partial)} isolate${partial.length === 1 ? 's' : ''} only the pods ${partial.length === 1 ? 'it selects' : 'they select'}`
      : `no policy isolates its pods for ${directions}`;
  const open = listText(missing.map((entry) => CONSEQUENCE[entry.direction]));
  return [
    {
      path: 'metadata.name',
      paths: ['metadata.name'],
      message:
        `not every pod of namespace ${namespace} is isolated for ${directions}: ${today}, so a pod no policy selects ${open}; ` +
        `add a default-deny (a NetworkPolicy with podSelector: {} and policyTypes: [${types}]), then allow what each workload needs`,
    },
  ];
}
