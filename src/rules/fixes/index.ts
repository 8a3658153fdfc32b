// `policygate fix`'s pure core: an object and the checks it fails → the JSON Patch that fixes what a
// safe default fixes, and notes on what needs a person. The same decisions as the webhook's
// mutations (src/rules/pod-security/security-context-fields.ts), applied to the manifest instead of
// the request. Only the checks listed here are ever fixed; everything else is a person's call.
import type { KubeObject, PolicyConfig, RuleId } from '../types.js';
import { NAMESPACE_LABEL_CHECKS, planNamespaceLabelsFix } from './namespace-labels.js';
import type { FixPlan } from './plan.js';
import { POD_SECURITY_CONTEXT_CHECKS, planPodSecurityContextFix } from './pod-security-context.js';

export type { FixNote, FixPlan } from './plan.js';

/** The checks `policygate fix` can fix, by rule. */
export const FIXABLE_CHECKS: Readonly<Partial<Record<RuleId, readonly string[]>>> = {
  'pod-security': POD_SECURITY_CONTEXT_CHECKS,
  'namespace-required-labels': NAMESPACE_LABEL_CHECKS,
};

/** `failing`: rule ID → the IDs of its checks that raised a finding on this object, in any mode. */
export function planFix(object: KubeObject, failing: ReadonlyMap<string, ReadonlySet<string>>, config: PolicyConfig): FixPlan {
  const none: ReadonlySet<string> = new Set();
  const podSecurity = planPodSecurityContextFix(object, failing.get('pod-security') ?? none);
  const labels = planNamespaceLabelsFix(object, failing.get('namespace-required-labels') ?? none, config);
  return {
    operations: [...podSecurity.operations, ...labels.operations],
    checks: [...podSecurity.checks, ...labels.checks],
    notes: [...podSecurity.notes, ...labels.notes],
  };
}
