// Evaluate one pod at one level:version, and word the result the way PSA does.
import type { CheckId, CheckResult, PodUnderReview } from './check.js';
import { effectiveMinor, formatLevelVersion, type LevelVersion, type PolicyVersion } from './level-version.js';
import { CHECK_TABLES, type CheckTables } from './registry.js';

export interface CheckFailure {
  check: CheckId;
  /** PSA's short reason alone (`privileged`), as its namespace warnings list them. */
  reason: string;
  /** PSA's `reason (detail)`, or the reason alone when there is no detail. */
  message: string;
  paths: string[];
  /** Set by src/rules/pod-security/exceptions.ts: the configured exception that excepts this failure. */
  exception?: string;
}

/** Failing checks for this pod at this policy, in PSA's order; empty when the pod is allowed. */
export function evaluatePod(policy: LevelVersion, pod: PodUnderReview, tables: CheckTables = CHECK_TABLES): CheckFailure[] {
  if (policy.level === 'privileged') return [];
  const minor = effectiveMinor(policy.version);
  const checks = (policy.level === 'baseline' ? tables.baseline : tables.restricted)[minor] ?? [];
  const failures: CheckFailure[] = [];
  for (const { id, checkPod } of checks) {
    const result = checkPod(pod);
    if (!result.allowed) failures.push(failureOf(id, result));
  }
  return failures;
}

export interface FailuresAtBothLevels {
  baseline: CheckFailure[];
  restricted: CheckFailure[];
}

/** evaluatePod at baseline and at restricted of one version, running each check once. */
export function evaluatePodAtBothLevels(version: PolicyVersion, pod: PodUnderReview, tables: CheckTables = CHECK_TABLES): FailuresAtBothLevels {
  const checks = tables.both[effectiveMinor(version)] ?? [];
  const failures: FailuresAtBothLevels = { baseline: [], restricted: [] };
  for (const check of checks) {
    const result = check.checkPod(pod);
    if (result.allowed) continue;
    const failure = failureOf(check.id, result);
    if (check.baseline) failures.baseline.push(failure);
    if (check.restricted) failures.restricted.push(failure);
  }
  return failures;
}

export function failureOf(check: CheckId, result: CheckResult): CheckFailure {
  // PSA's own fallback wording when a check fails without saying why.
  const reason = result.reason === '' ? 'unknown forbidden reason' : result.reason;
  return { check, reason, message: result.detail === '' ? reason : `${reason} (${result.detail})`, paths: result.paths };
}

function policyName(policy: LevelVersion | string): string {
  return JSON.stringify(typeof policy === 'string' ? policy : formatLevelVersion(policy));
}

/** PSA's denial text: `violates PodSecurity "restricted:latest": reason1 (detail1), reason2 (detail2)`. */
export function violationMessage(policy: LevelVersion | string, messages: readonly string[]): string {
  return `violates PodSecurity ${policyName(policy)}: ${messages.join(', ')}`;
}

/** PSA's warning and audit text for the same: `would violate PodSecurity "restricted:latest": ...`. */
export function wouldViolateMessage(policy: LevelVersion | string, messages: readonly string[]): string {
  return `would violate PodSecurity ${policyName(policy)}: ${messages.join(', ')}`;
}
