// Rule `policy-label-guard`: only the principals the configuration names may add, change or remove the
// labels that decide how strictly a namespace is policed — `policygate.dev/mode*` and
// `pod-security.kubernetes.io/*`. Without it, anyone who may edit a namespace may switch its
// enforcement off. This rule is never lowered by the labels it guards.
import { isRecord } from './is-record.js';
import { isKind, NAMESPACE_KIND } from './kinds.js';
import { activeCheckMode } from './modes.js';
import { isGuardedLabel } from './namespace-mode.js';
import { mapEntryPath } from './pod-security/format.js';
import type { Finding, KubeObject, PolicyLabelGuardConfig, Rule, RuleContext, UserInfo } from './types.js';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

const CHECK = {
  id: 'unauthorized-change',
  description: 'Only the configured principals may add, change or remove policygate.dev/mode* and pod-security.kubernetes.io/* labels on a Namespace.',
  defaultMode: 'enforce',
} as const;

function labelsOf(object: KubeObject | undefined): Readonly<Record<string, string>> {
  const labels = object?.metadata?.labels;
  return isRecord(labels) ? labels : {};
}

function isAuthorized(user: UserInfo | undefined, principals: PolicyLabelGuardConfig['principals']): boolean {
  const username = user?.username;
  if (username !== undefined) {
    if (principals.users.includes(username)) return true;
    if (username.startsWith(SERVICE_ACCOUNT_PREFIX) && principals.serviceAccounts.includes(username.slice(SERVICE_ACCOUNT_PREFIX.length).replace(':', '/'))) return true;
  }
  return (user?.groups ?? []).some((group) => principals.groups.includes(group));
}

/** `users alice; groups system:masters; service accounts argocd/argocd-application-controller`. */
function describePrincipals(principals: PolicyLabelGuardConfig['principals']): string {
  const parts = [
    principals.users.length > 0 ? `users ${principals.users.join(', ')}` : '',
    principals.groups.length > 0 ? `groups ${principals.groups.join(', ')}` : '',
    principals.serviceAccounts.length > 0 ? `service accounts ${principals.serviceAccounts.join(', ')}` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join('; ') : 'nobody (rules.policy-label-guard.principals is empty)';
}

function evaluateGuard(object: KubeObject, context: RuleContext): Finding[] {
  if (!isKind(object, NAMESPACE_KIND) || (context.operation !== 'CREATE' && context.operation !== 'UPDATE')) return [];
  // Offline (check, audit) nobody is making the change: there is no one to authorize.
  if (context.userInfo === undefined) return [];
  const ruleConfig = context.config.rules['policy-label-guard'];
  const mode = activeCheckMode(ruleConfig, CHECK);
  if (!mode) return [];
  const before = context.operation === 'UPDATE' ? labelsOf(context.oldObject) : {};
  const after = labelsOf(object);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => isGuardedLabel(key) && before[key] !== after[key])
    .sort();
  if (changed.length === 0 || isAuthorized(context.userInfo, ruleConfig.principals)) return [];

  const who = describePrincipals(ruleConfig.principals);
  const user = context.userInfo.username ?? 'an anonymous user';
  return changed.map((key) => {
    const verb = before[key] === undefined ? 'add' : after[key] === undefined ? 'remove' : 'change';
    const path = mapEntryPath('metadata.labels', key);
    return {
      rule: 'policy-label-guard',
      check: CHECK.id,
      mode,
      path,
      paths: [path],
      message: `${user} may not ${verb} label ${JSON.stringify(key)} on namespace ${JSON.stringify(object.metadata?.name ?? '')}: only ${who} may; ask them, or have them add you under rules.policy-label-guard.principals`,
    };
  });
}

export const policyLabelGuard: Rule<'policy-label-guard'> = {
  id: 'policy-label-guard',
  meta: {
    description: 'Only named principals may add, change or remove the Namespace labels that set Pod Security levels or lower policygate\'s modes.',
    rationale:
      'The pod-security.kubernetes.io and policygate.dev/mode labels decide how strictly a namespace is policed. ' +
      'If everyone who may edit a namespace may change them, a namespace editor can switch enforcement off for themselves.',
    appliesTo: [NAMESPACE_KIND],
    checks: [CHECK],
  },
  evaluate: evaluateGuard,
};
