// Pod Security levels and policy versions, parsed exactly as Pod Security Admission parses the
// namespace labels (`k8s.io/pod-security-admission/api`).

export type Level = 'privileged' | 'baseline' | 'restricted';
export const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** The newest policy version this evaluator knows; `latest` and anything newer behave as this. */
export const NEWEST_KNOWN_MINOR = 37;

/** A `v1.N` policy version, or `latest`. `minor` is what the label said (v1.99 keeps 99). */
export type PolicyVersion = { latest: true } | { latest: false; minor: number };

export const LATEST: PolicyVersion = { latest: true };

export interface LevelVersion {
  level: Level;
  version: PolicyVersion;
}

const VERSION_PATTERN = /^v1\.(0|[1-9][0-9]*)$/;

export function parseLevel(text: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(text) ? (text as Level) : undefined;
}

/** `latest`, or `v1.N` with no leading zero; anything else is undefined (invalid). */
export function parseVersion(text: string): PolicyVersion | undefined {
  if (text === 'latest') return LATEST;
  const match = VERSION_PATTERN.exec(text);
  if (!match) return undefined;
  const minor = Number(match[1]);
  return Number.isSafeInteger(minor) ? { latest: false, minor } : undefined;
}

function formatVersion(version: PolicyVersion): string {
  return version.latest ? 'latest' : `v1.${version.minor}`;
}

/** `restricted:latest`, the form PSA shows in its messages. */
export function formatLevelVersion(policy: LevelVersion): string {
  return `${policy.level}:${formatVersion(policy.version)}`;
}

/** The minor version the checks are evaluated at: newer-than-known and `latest` mean the newest known. */
export function effectiveMinor(version: PolicyVersion): number {
  return version.latest ? NEWEST_KNOWN_MINOR : Math.min(version.minor, NEWEST_KNOWN_MINOR);
}
