// `policygate audit --format text`: for people. The answer first (what enforcing would refuse, per rule
// and check, and where), then the objects per rule and check in the deterministic order, capped with an
// "and N more" line, then notes, errors and the verdict.
import { painter, type Style } from '../report/text.js';
import type { FailOn } from '../report/types.js';
import type { ActiveMode, Mode } from '../rules/types.js';
import { networkPostureText } from './network-posture-text.js';
import { capResults, checkKeyOf, failingResults, namespaceKeyOf, type AuditReport, type AuditResult, type CheckCount } from './report.js';

export interface AuditTextOptions {
  failOn: FailOn;
  color: boolean;
  /** Objects shown per rule, check and enforced mode; undefined shows all. */
  maxObjects: number | undefined;
  /** Namespaces shown in the "most findings" table. Default 10. */
  maxNamespaces?: number;
}

const MODE_STYLE: Record<Mode, Style> = { enforce: 'red', warn: 'yellow', audit: 'cyan', off: 'dim' };

const HEADINGS: Record<ActiveMode, string> = {
  enforce: 'Enforcing would refuse',
  warn: 'Enforcing would warn about',
  audit: 'Enforcing would only record (audit)',
};
const SECTION_VERB: Record<ActiveMode, string> = { enforce: 'would refuse', warn: 'would warn about', audit: 'would record' };

function number(count: number): string {
  return count.toLocaleString('en-US');
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${number(count)} ${count === 1 ? singular : pluralForm}`;
}

function ownedText(owned: Record<string, number>): string {
  return Object.entries(owned)
    .map(([kind, count]) => (kind === 'Pod' ? plural(count, 'pod') : plural(count, kind)))
    .join(', ');
}

function nowText(now: CheckCount['now']): string {
  return (['enforce', 'warn', 'audit', 'off'] as const)
    .filter((mode) => now[mode] > 0)
    .map((mode) => `${number(now[mode])} ${mode}`)
    .join(', ');
}

function who(result: AuditResult): string {
  const namespace = namespaceKeyOf(result);
  return result.kind === 'Namespace' ? `Namespace/${result.name}` : `${namespace}/${result.kind}/${result.name}`;
}

function expiresText(expires: string, daysLeft: number): string {
  return `expires ${expires} (${daysLeft === 0 ? 'within a day' : `in ${plural(daysLeft, 'day')}`})`;
}

/** The exceptions: what each excepted, then those that expire within 14 days, have expired, or went unused. */
function exceptionLines(report: AuditReport, paint: (style: Style, text: string) => string): string[] {
  const { used, expiring, expired, unused } = report.exceptions;
  if (used.length + expiring.length + expired.length + unused.length === 0) return [];
  const out = ['', paint('bold', 'Exceptions (their findings are recorded here, not above):')];
  const soon = new Map(expiring.map((entry) => [entry.name, entry]));
  for (const use of used) {
    const pods = use.pods > 0 ? ` (${plural(use.pods, 'pod')})` : '';
    const expiry = soon.get(use.name);
    const when = expiry ? `; ${paint('yellow', expiresText(expiry.expires, expiry.daysLeft))}` : '';
    out.push(`  ${use.name}: ${plural(use.objects, 'object')}${pods} in ${plural(use.namespaces, 'namespace')}, ${use.checks.join(', ')}${when}`);
  }
  const expiringUnused = expiring.filter((entry) => !used.some((use) => use.name === entry.name));
  for (const entry of expiringUnused) out.push(`  ${entry.name}: ${paint('yellow', expiresText(entry.expires, entry.daysLeft))}`);
  if (expired.length > 0) {
    out.push(paint('red', `  Expired, no longer applied (renew or remove): ${expired.map((entry) => `${entry.name} (${entry.expires})`).join(', ')}`));
  }
  if (unused.length > 0) {
    const where = report.namespace !== undefined ? ` in namespace ${report.namespace}` : '';
    out.push(paint('dim', `  Excepted nothing${where} (remove if no longer needed): ${unused.join(', ')}`));
  }
  return out;
}

export function formatAuditText(report: AuditReport, options: AuditTextOptions): string {
  return `${[...auditTextLines(report, options)].join('\n')}\n`;
}

/** The text report line by line (without line ends), so that an uncapped report is never one string. */
export function* auditTextLines(report: AuditReport, options: AuditTextOptions): Generator<string> {
  const paint = painter(options.color);
  // The lines of the part being written; handed over at the end of each part.
  let out: string[] = [];
  const { summary } = report;

  const scope = report.namespace !== undefined ? `namespace ${report.namespace}` : plural(report.namespacesAudited, 'namespace');
  const took = report.elapsedMs !== undefined ? ` in ${(report.elapsedMs / 1000).toFixed(1)} s` : '';
  out.push(paint('bold', `policygate audit of ${report.source}: ${plural(summary.resources, 'object')} in ${scope}${took}`));
  const listed = Object.entries(report.listed).map(([kind, count]) => `${kind} ${number(count)}`);
  if (listed.length > 0) out.push(paint('dim', `Listed: ${listed.join(', ')}.`));
  out.push('Every rule and check judged as if enforced; "now" is the mode it has today.');
  out.push('');

  // The answer: per rule and check.
  if (report.results.length === 0) {
    out.push(paint('green', 'Enforcing every rule would refuse nothing: no findings.'));
    out.push('');
  }
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const checks = report.counts.checks.filter((count) => count.enforcedMode === mode);
    if (checks.length === 0) continue;
    out.push(paint(MODE_STYLE[mode], `${HEADINGS[mode]}:`));
    const width = Math.max(...checks.map((count) => `${count.rule}/${count.check}`.length));
    for (const count of checks) {
      const pods = count.pods > 0 ? ` (${plural(count.pods, 'pod')})` : '';
      const what = `${plural(count.objects, 'object')}${pods} in ${plural(count.namespaces, 'namespace')}`;
      out.push(`  ${`${count.rule}/${count.check}`.padEnd(width)}  ${what.padEnd(44)}  now: ${nowText(count.now)}`);
    }
  }

  // Where: the namespaces with the most findings enforcing would refuse.
  const refusing = report.counts.namespaces.filter((count) => count.enforce > 0);
  if (refusing.length > 0) {
    const max = options.maxNamespaces ?? 10;
    out.push('');
    out.push(paint('bold', 'Namespaces with the most findings that enforcing would refuse:'));
    const shown = refusing.slice(0, max);
    const width = Math.max(...shown.map((count) => count.namespace.length));
    for (const count of shown) out.push(`  ${count.namespace.padEnd(width)}  ${number(count.enforce)}`);
    if (refusing.length > max) out.push(`  and ${plural(refusing.length - max, 'more namespace')}`);
  }

  // The objects, per rule, check and enforced mode, capped.
  const { results, omitted } = capResults(report.results, options.maxObjects);
  const sections = new Map<string, AuditResult[]>();
  for (const result of results) {
    const key = checkKeyOf(result);
    const section = sections.get(key);
    if (section) section.push(result);
    else sections.set(key, [result]);
  }
  const omittedByCheck = new Map(omitted.map((entry) => [checkKeyOf(entry), entry.results]));
  yield* out;
  out = [];
  for (const count of report.counts.checks) {
    const key = checkKeyOf(count);
    const section = sections.get(key) ?? [];
    out.push('');
    const pods = count.pods > 0 ? ` (${plural(count.pods, 'pod')})` : '';
    out.push(paint(MODE_STYLE[count.enforcedMode], `${count.rule}/${count.check}: enforcing ${SECTION_VERB[count.enforcedMode]} ${plural(count.objects, 'object')}${pods}`));
    for (const result of section) {
      const owned = ownedText(result.owned);
      const through = result.own ? (owned ? `  +${owned}` : '') : `  through ${owned} not matching its template (e.g. ${result.example ?? '?'})`;
      out.push(`  ${who(result)}${through}  ${paint(MODE_STYLE[result.mode], `now ${result.mode}`)}`);
      out.push(`      ${paint('dim', `${result.path}:`)} ${result.message}`);
    }
    const left = omittedByCheck.get(key);
    if (left !== undefined) out.push(paint('dim', `  and ${number(left)} more (--max-objects 0 shows all)`));
    yield* out;
    out = [];
  }

  out.push(...exceptionLines(report, paint));

  const network = networkPostureText(report.network, paint, options.maxNamespaces ?? 10);
  if (network.length > 0) out.push('', ...network);

  if (report.notes.length > 0) {
    out.push('');
    out.push(paint('bold', 'Notes:'));
    for (const note of report.notes) out.push(`  ${note}`);
  }
  if (report.errors.length > 0) {
    out.push('');
    out.push(paint('red', 'Errors:'));
    for (const error of report.errors) out.push(`  ${error.file}: ${error.message}`);
  }

  out.push('');
  const enforced = summary.enforced;
  const today = (['enforce', 'warn', 'audit', 'off'] as const).map((mode) => `${number(summary[mode])} ${mode}`).join(', ');
  const excepted = summary.excepted > 0 ? `, ${number(summary.excepted)} excepted` : '';
  out.push(
    `Audited ${plural(summary.resources, 'object')}: as if enforced, ${number(enforced.enforce)} enforce, ${number(enforced.warn)} warn, ${number(enforced.audit)} audit ` +
      `(today: ${today})${excepted}; ${plural(summary.errors, 'error')}.`,
  );
  const failing = failingResults(report, options.failOn);
  if (summary.errors > 0) out.push(paint('red', `Failed: ${plural(summary.errors, 'error')} (exit 2).`));
  else if (failing > 0) out.push(paint('red', `Failed: ${plural(failing, 'finding')} at or above --fail-on ${options.failOn} if enforced (exit 1).`));
  else out.push(paint('green', options.failOn === 'never' ? 'Passed (--fail-on never).' : `Passed: nothing at or above --fail-on ${options.failOn}, even enforced.`));
  yield* out;
}
