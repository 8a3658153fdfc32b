// The namespace labels that lower policygate's modes during a rollout: `policygate.dev/mode` for every
// rule, `policygate.dev/mode.<rule-id>` for one. They only ever lower a mode (enforce → warn → audit),
// never raise it or turn a rule off; an unknown value is ignored, so a typo leaves the policy as strict
// as the configuration says. Who may set them is the job of `policy-label-guard`.
import { LABEL_PREFIX as POD_SECURITY_LABEL_PREFIX } from './pod-security/policy.js';
import { weakerMode, type ActiveMode } from './types.js';

export const MODE_LABEL = 'policygate.dev/mode';
export const RULE_MODE_LABEL_PREFIX = `${MODE_LABEL}.`;
const LOWERING_MODES: ReadonlySet<string> = new Set<ActiveMode>(['enforce', 'warn', 'audit']);

/** A label value that names a mode to lower to; anything else (a typo, `off`) is ignored. */
function loweringMode(value: string | undefined): ActiveMode | undefined {
  return value !== undefined && LOWERING_MODES.has(value) ? (value as ActiveMode) : undefined;
}

/** The ceiling a namespace's labels put on a rule's findings, or undefined when they put none. */
export function namespaceModeCap(labels: Readonly<Record<string, string>> | undefined, ruleId: string): ActiveMode | undefined {
  if (!labels) return undefined;
  const everyRule = loweringMode(labels[MODE_LABEL]);
  const thisRule = loweringMode(labels[`${RULE_MODE_LABEL_PREFIX}${ruleId}`]);
  if (everyRule === undefined || thisRule === undefined) return everyRule ?? thisRule;
  return weakerMode(everyRule, thisRule) as ActiveMode;
}

/** The labels whose change can loosen policy for a namespace: ours and Pod Security Admission's. */
export function isGuardedLabel(key: string): boolean {
  return key === MODE_LABEL || key.startsWith(RULE_MODE_LABEL_PREFIX) || key.startsWith(POD_SECURITY_LABEL_PREFIX);
}
