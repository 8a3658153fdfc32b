// Namespace labels + configured defaults → the enforce, audit and warn policies, with Pod Security
// Admission's semantics: missing labels fall back to the defaults; an invalid enforce level fails
// closed (restricted), an invalid audit or warn level fails open (privileged), an invalid version is
// `latest`; warn follows a stricter, explicitly labelled enforce level when warn itself is unset.
import type { PodSecurityDefaults } from '../types.js';
import { LATEST, parseLevel, parseVersion, type Level, type LevelVersion, type PolicyVersion } from './level-version.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export type PolicyMode = 'enforce' | 'audit' | 'warn';
export const POLICY_MODES: readonly PolicyMode[] = ['enforce', 'audit', 'warn'];

export type NamespacePolicy = Record<PolicyMode, LevelVersion>;

/** One invalid label: which, its value, and what it must be (`one of privileged, baseline, restricted`). */
export interface LabelError {
  label: string;
  value: string;
  expected: string;
}

const LEVEL_RANK: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };
const INVALID_LEVEL_FALLBACK: Record<PolicyMode, Level> = { enforce: 'restricted', audit: 'privileged', warn: 'privileged' };

/** Each mode's two labels, named once: policyFromLabels reads them for every pod. */
const MODE_LABELS: Readonly<Record<PolicyMode, { level: string; version: string }>> = {
  enforce: { level: `${LABEL_PREFIX}enforce`, version: `${LABEL_PREFIX}enforce-version` },
  audit: { level: `${LABEL_PREFIX}audit`, version: `${LABEL_PREFIX}audit-version` },
  warn: { level: `${LABEL_PREFIX}warn`, version: `${LABEL_PREFIX}warn-version` },
};

function levelError(label: string, value: string): LabelError {
  return { label, value, expected: 'one of privileged, baseline, restricted' };
}
function versionError(label: string, value: string): LabelError {
  return { label, value, expected: '"latest" or "v1.x"' };
}

/**
 * The configured defaults as a policy. The configuration loader has validated them, so an unparsable
 * value here is a programming error and falls back the way an invalid label would.
 */
export function defaultPolicy(defaults: PodSecurityDefaults): NamespacePolicy {
  let policy = parsedDefaults.get(defaults);
  if (policy) return policy;
  policy = parseDefaults(defaults);
  parsedDefaults.set(defaults, policy);
  return policy;
}

/** Parsed once per configuration object: this runs for every pod the webhook sees. */
const parsedDefaults = new WeakMap<PodSecurityDefaults, NamespacePolicy>();

function parseDefaults(defaults: PodSecurityDefaults): NamespacePolicy {
  const policy = {} as NamespacePolicy;
  for (const mode of POLICY_MODES) {
    policy[mode] = {
      level: parseLevel(defaults[mode]) ?? INVALID_LEVEL_FALLBACK[mode],
      version: parseVersion(defaults[`${mode}-version`]) ?? LATEST,
    };
  }
  return policy;
}

export interface EvaluatedPolicy {
  policy: NamespacePolicy;
  errors: LabelError[];
}

export function policyFromLabels(labels: Readonly<Record<string, string>> | undefined, defaults: NamespacePolicy): EvaluatedPolicy {
  const policy: NamespacePolicy = { enforce: defaults.enforce, audit: defaults.audit, warn: defaults.warn };
  const errors: LabelError[] = [];
  if (!labels) return { policy, errors };

  let enforceLevelSet = false;
  let warnLevelSet = false;
  let warnVersionSet = false;
  for (const mode of POLICY_MODES) {
    let { level, version }: { level: Level; version: PolicyVersion } = policy[mode];
    const names = MODE_LABELS[mode];
    const levelText = labels[names.level];
    if (levelText !== undefined) {
      const parsed = parseLevel(levelText);
      if (parsed) level = parsed;
      else {
        level = INVALID_LEVEL_FALLBACK[mode];
        errors.push(levelError(names.level, levelText));
      }
      if (mode === 'enforce') enforceLevelSet = parsed !== undefined;
      if (mode === 'warn') warnLevelSet = true;
    }
    const versionText = labels[names.version];
    if (versionText !== undefined) {
      const parsed = parseVersion(versionText);
      version = parsed ?? LATEST;
      if (!parsed) errors.push(versionError(names.version, versionText));
      if (mode === 'warn') warnVersionSet = true;
    }
    policy[mode] = { level, version };
  }

  // A namespace that enforces a stricter level than the default warn level should also warn at it,
  // unless the namespace says otherwise.
  if (!warnLevelSet && enforceLevelSet && LEVEL_RANK[policy.enforce.level] > LEVEL_RANK[policy.warn.level]) {
    policy.warn = { level: policy.enforce.level, version: warnVersionSet ? policy.warn.version : policy.enforce.version };
  }
  return { policy, errors };
}

export function isFullyPrivileged(policy: NamespacePolicy): boolean {
  return policy.enforce.level === 'privileged' && policy.audit.level === 'privileged' && policy.warn.level === 'privileged';
}

/** True when any of the pod-security labels differ between two label sets. */
export function podSecurityLabelsChanged(
  before: Readonly<Record<string, string>> | undefined,
  after: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const mode of POLICY_MODES) {
    const { level, version } = MODE_LABELS[mode];
    if (before?.[level] !== after?.[level] || before?.[version] !== after?.[version]) return true;
  }
  return false;
}
