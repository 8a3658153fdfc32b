// Turning findings into the three channels the API server offers: a denial (status), warnings shown
// to the user, and audit annotations for the audit log. Sizes stay within what the API server keeps.
import { violationMessage, wouldViolateMessage } from '../rules/pod-security/evaluate.js';
import type { ActiveMode, Finding } from '../rules/types.js';

/** Past 4096 characters of warnings in all, the API server cuts each to 256 and drops what still does not fit. */
const MAX_WARNING_LENGTH = 256;
const MAX_WARNINGS_TOTAL = 4096;
const CUT_NOTICE_ROOM = 48;
/** Audit annotation values are stored in every audit event; keep them bounded. */
const MAX_AUDIT_ANNOTATION_LENGTH = 4096;
/**
 * The API server prefixes each audit annotation key with the webhook's name
 * (`validate.policygate.dev/<key>`), so the key itself must be a plain name: no second slash.
 */
const AUDIT_ANNOTATION_PREFIX = 'policygate-';

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function ofMode(findings: readonly Finding[], mode: ActiveMode): Finding[] {
  return findings.filter((finding) => finding.mode === mode);
}

/** Findings grouped by key, keeping first-seen order. */
function groupBy<K>(findings: readonly Finding[], key: (finding: Finding) => K): Map<K, Finding[]> {
  const groups = new Map<K, Finding[]>();
  for (const finding of findings) {
    const k = key(finding);
    const group = groups.get(k);
    if (group) group.push(finding);
    else groups.set(k, [finding]);
  }
  return groups;
}

/**
 * One line per fix: pod-security's findings as PSA's exact aggregated text per policy, every other
 * finding as `path: message`.
 */
function describe(findings: readonly Finding[], podSecurityText: (policy: string, messages: string[]) => string): string[] {
  const lines: string[] = [];
  const podSecurity = findings.filter(isPodSecurityCheck);
  for (const [policy, group] of groupBy(podSecurity, (finding) => finding.policy ?? '')) {
    lines.push(podSecurityText(policy, group.map((finding) => finding.message)));
  }
  for (const finding of findings) if (!isPodSecurityCheck(finding)) lines.push(`${finding.path}: ${finding.message}`);
  return lines;
}

/** A PSA check's failure, which carries the policy it failed; pod-security's namespaceLabels check carries none. */
function isPodSecurityCheck(finding: Finding): boolean {
  return finding.rule === 'pod-security' && finding.policy !== undefined;
}

/** The denial message: what to fix, one line each. */
export function denialMessage(findings: readonly Finding[]): string {
  return describe(ofMode(findings, 'enforce'), violationMessage).join('\n');
}

/**
 * The warnings kubectl prints: pod-security's as Pod Security Admission words them, one line per policy
 * for the pod or template (`would violate PodSecurity "restricted:latest": reason (detail), ...`), so a
 * namespace moved from PSA to policygate shows its users the same lines; every other finding as
 * `path: message`. Pod Security's field paths stay in the decision log and in the offline checker's reports.
 */
export function warningsFor(findings: readonly Finding[], extra: readonly string[] = []): string[] {
  return withinWarningLimits([...extra, ...describe(ofMode(findings, 'warn'), wouldViolateMessage)]);
}

/**
 * The API server's limits on warnings, applied as its recorder applies them: nothing is cut while all
 * warnings fit in 4096 characters; past that, each is cut to 256 and those that still do not fit are
 * dropped. A last line says how many were dropped, or the user would not know any were.
 */
function withinWarningLimits(lines: readonly string[]): string[] {
  if (lines.reduce((total, line) => total + line.length, 0) <= MAX_WARNINGS_TOTAL) return [...lines];
  const warnings: string[] = [];
  let total = 0;
  for (const [index, line] of lines.entries()) {
    const warning = truncate(line, MAX_WARNING_LENGTH);
    const isLast = index === lines.length - 1;
    if (total + warning.length + (isLast ? 0 : CUT_NOTICE_ROOM) > MAX_WARNINGS_TOTAL) {
      warnings.push(`policygate: ${lines.length - index} more warnings not shown`);
      break;
    }
    warnings.push(warning);
    total += warning.length;
  }
  return warnings;
}

/** One annotation per rule with audit findings; pod-security's in PSA's `would violate` form. */
export function auditAnnotationsFor(findings: readonly Finding[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [rule, group] of groupBy(ofMode(findings, 'audit'), (finding) => finding.rule)) {
    annotations[`${AUDIT_ANNOTATION_PREFIX}${rule}`] = truncate(describe(group, wouldViolateMessage).join('; '), MAX_AUDIT_ANNOTATION_LENGTH);
  }
  return annotations;
}

/**
 * The audit annotation that names what configured exceptions excepted, so that the audit log says why
 * a request that would have been refused or warned about was let through:
 * `policygate-exceptions: node-agent-hostpath: pod-security/hostPathVolumes; legacy-root: pod-security/runAsNonRoot`.
 */
export function exceptionsAnnotation(excepted: readonly Finding[]): Record<string, string> {
  if (excepted.length === 0) return {};
  const checks = new Map<string, Set<string>>();
  for (const finding of excepted) {
    const name = finding.exception ?? '';
    let set = checks.get(name);
    if (!set) checks.set(name, (set = new Set()));
    set.add(`${finding.rule}/${finding.check}`);
  }
  const text = [...checks].map(([name, set]) => `${name}: ${[...set].join(', ')}`).join('; ');
  return { [`${AUDIT_ANNOTATION_PREFIX}exceptions`]: truncate(text, MAX_AUDIT_ANNOTATION_LENGTH) };
}
