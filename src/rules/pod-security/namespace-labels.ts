// PSA refuses a Namespace whose pod-security.kubernetes.io labels do not parse, instead of letting a
// typo (`enforce: restriced`) silently fall back. On create the labels must be valid; on update only
// a change to them is judged, so an existing bad label does not block unrelated edits.
import { mapEntryPath } from './format.js';
import { defaultPolicy, podSecurityLabelsChanged, policyFromLabels } from './policy.js';
import type { Finding, KubeObject, PodSecurityConfig, RuleContext } from '../types.js';

export const NAMESPACE_LABELS_CHECK = 'namespaceLabels';

export function namespaceLabelFindings(namespace: KubeObject, context: RuleContext, ruleConfig: PodSecurityConfig): Finding[] {
  const mode = ruleConfig.checks[NAMESPACE_LABELS_CHECK] ?? ruleConfig.mode;
  if (mode === 'off') return [];
  const labels = namespace.metadata?.labels ?? undefined;
  if (context.operation === 'UPDATE' && context.oldObject && !podSecurityLabelsChanged(context.oldObject.metadata?.labels ?? undefined, labels)) return [];
  const { errors } = policyFromLabels(labels, defaultPolicy(ruleConfig.defaults));
  const name = JSON.stringify(namespace.metadata?.name ?? '');
  // Not a PSA check failure (no `policy`): the edges word it as any rule's `path: message`, naming
  // the label and the value, instead of inside PSA's `violates PodSecurity "<policy>"`.
  return errors.map((error) => {
    const path = mapEntryPath('metadata.labels', error.label);
    const message = `namespace ${name} has Pod Security label ${JSON.stringify(error.label)}=${JSON.stringify(error.value)}; expected ${error.expected}`;
    return { rule: 'pod-security', check: NAMESPACE_LABELS_CHECK, mode, path, paths: [path], message };
  });
}
