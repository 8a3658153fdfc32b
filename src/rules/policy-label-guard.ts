// Rule `policy-label-guard`: only those the cluster's RBAC allows, or the principals the configuration
// names, may add, change or remove the labels that decide how strictly a namespace is policed —
// `policygate.dev/mode*` and `pod-security.kubernetes.io/*`. Without it, anyone who may edit a
// namespace may switch its enforcement off. This rule is never lowered by the labels it guards.
//
// The permission is a verb of policygate's own API group, asked of the cluster like any other:
// `update-policy-labels` on `namespaces.policygate.dev`, for the namespace's name (a SubjectAccessReview
// made by the webhook, which hands the answer in through `context.policyLabelAccess`). cluster-admin
// holds it with no setup; anyone else is given it by binding a ClusterRole that grants it. Offline
// (`review`, `check`, the webhook without a cluster) there is no one to ask, and the principals decide.
import { isRecord } from './is-record.js';
import { isKind, NAMESPACE_KIND } from './kinds.js';
import { activeCheckMode, isExemptNamespace } from './modes.js';
import { isGuardedLabel } from './namespace-mode.js';
import { mapEntryPath } from './pod-security/format.js';
import type { Finding, KubeObject, PolicyLabelGuardConfig, Rule, RuleContext, UserInfo } from './types.js';

/** The RBAC permission that lets a user change a namespace's guarded labels; the name is the namespace's. */
export const POLICY_LABEL_PERMISSION = { group: 'policygate.dev', resource: 'namespaces', verb: 'update-policy-labels' } as const;
/** The ClusterRole deploy/ ships with that permission, for binding to platform teams and GitOps controllers. */
export const POLICY_LABEL_CLUSTER_ROLE = 'policygate-policy-labels';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

const CHECK = {
  id: 'unauthorized-change',
  description: `Only users with the RBAC verb ${POLICY_LABEL_PERMISSION.verb} on ${POLICY_LABEL_PERMISSION.resource}.${POLICY_LABEL_PERMISSION.group}, or the configured principals, may add, change or remove policygate.dev/mode* and pod-security.kubernetes.io/* labels on a Namespace.`,
  defaultMode: 'enforce',
} as const;

function labelsOf(object: KubeObject | undefined): Readonly<Record<string, string>> {
  const labels = object?.metadata?.labels;
  return isRecord(labels) ? labels : {};
}

function isPrincipal(user: UserInfo | undefined, principals: PolicyLabelGuardConfig['principals']): boolean {
  const username = user?.username;
  if (username !== undefined) {
    if (principals.users.includes(username)) return true;
    if (username.startsWith(SERVICE_ACCOUNT_PREFIX) && principals.serviceAccounts.includes(username.slice(SERVICE_ACCOUNT_PREFIX.length).replace(':', '/'))) return true;
  }
  return (user?.groups ?? []).some((group) => principals.groups.includes(group));
}

/** `users alice; groups platform; service accounts argocd/argocd-application-controller`. */
function describePrincipals(principals: PolicyLabelGuardConfig['principals']): string {
  const parts = [
    principals.users.length > 0 ? `users ${principals.users.join(', ')}` : '',
    principals.groups.length > 0 ? `groups ${principals.groups.join(', ')}` : '',
    principals.serviceAccounts.length > 0 ? `service accounts ${principals.serviceAccounts.join(', ')}` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('; ') : 'nobody (rules.policy-label-guard.principals is empty)';
}

/**
 * The guarded labels a Namespace CREATE or UPDATE adds, changes or removes that the rule would have to
 * let through, when the requesting user is not one of the configured principals; sorted. Empty when
 * the rule does not run for this request, nothing guarded changes, or a principal makes the change.
 * The webhook asks the cluster about the user only when this is not empty: every other request
 * (nearly all of them) is judged without waiting for anyone.
 */
export function unauthorizedLabelChanges(object: KubeObject, context: RuleContext): string[] {
  if (!isKind(object, NAMESPACE_KIND) || (context.operation !== 'CREATE' && context.operation !== 'UPDATE')) return [];
  // Offline (check, audit) nobody is making the change: there is no one to authorize.
  if (context.userInfo === undefined) return [];
  const ruleConfig = context.config.rules['policy-label-guard'];
  if (ruleConfig.mode === 'off' || !activeCheckMode(ruleConfig, CHECK) || isExemptNamespace(ruleConfig, object.metadata?.name)) return [];
  const before = context.operation === 'UPDATE' ? labelsOf(context.oldObject) : {};
  const after = labelsOf(object);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => isGuardedLabel(key) && before[key] !== after[key]);
  if (changed.length === 0 || isPrincipal(context.userInfo, ruleConfig.principals)) return [];
  return changed.sort();
}

/** Who may, as the message says it: the cluster's permission (with a cluster) and the principals. */
function whoMay(context: RuleContext, principals: PolicyLabelGuardConfig['principals']): string {
  if (context.policyLabelAccess === undefined) {
    return `only ${describePrincipals(principals)} may; ask them, or have them add you under rules.policy-label-guard.principals`;
  }
  const { verb, resource, group } = POLICY_LABEL_PERMISSION;
  const listed = describePrincipals(principals);
  return (
    `that takes the RBAC verb ${verb} on ${resource}.${group} (the ClusterRole ${POLICY_LABEL_CLUSTER_ROLE} grants it)` +
    (listed.startsWith('nobody') ? '' : ` or being one of ${listed} (rules.policy-label-guard.principals)`)
  );
}

function evaluateGuard(object: KubeObject, context: RuleContext): Finding[] {
  const changed = unauthorizedLabelChanges(object, context);
  if (changed.length === 0) return [];
  const access = context.policyLabelAccess;
  const user = context.userInfo?.username ?? 'an anonymous user';
  const name = JSON.stringify(object.metadata?.name ?? '');
  // Fails closed: a thrown error refuses the request while the rule enforces (a 500 naming the cause).
  if (access !== undefined && 'error' in access) throw new Error(`cannot tell whether ${user} may change the policy labels of namespace ${name}: ${access.error}`);
  if (access?.allowed) return [];

  const ruleConfig = context.config.rules['policy-label-guard'];
  const mode = activeCheckMode(ruleConfig, CHECK);
  if (!mode) return [];
  const before = context.operation === 'UPDATE' ? labelsOf(context.oldObject) : {};
  const after = labelsOf(object);
  const who = whoMay(context, ruleConfig.principals);
  return changed.map((key) => {
    const verb = before[key] === undefined ? 'add' : after[key] === undefined ? 'remove' : 'change';
    const path = mapEntryPath('metadata.labels', key);
    return { rule: 'policy-label-guard', check: CHECK.id, mode, path, paths: [path], message: `${user} may not ${verb} label ${JSON.stringify(key)} on namespace ${name}: ${who}` };
  });
}

export const policyLabelGuard: Rule<'policy-label-guard'> = {
  id: 'policy-label-guard',
  meta: {
    description: 'Only users the cluster\'s RBAC allows (or named principals) may add, change or remove the Namespace labels that set Pod Security levels or lower policygate\'s modes.',
    rationale:
      'The pod-security.kubernetes.io and policygate.dev/mode labels decide how strictly a namespace is policed. ' +
      'If everyone who may edit a namespace may change them, a namespace editor can switch enforcement off for themselves.',
    appliesTo: [NAMESPACE_KIND],
    checks: [CHECK],
  },
  evaluate: evaluateGuard,
};
