// `-o text`: for people. Findings and input errors grouped by file, one per line as
// `file:line:column  mode  rule/check  Kind namespace/name: message` (a form editors and terminals link
// to the source), each finding once in its strongest mode, then a summary. Colour only when asked (the
// CLI asks on a TTY).
import { inStrongestMode, type ShownResult } from './strongest-mode.js';
import { failsRun, type CheckError, type CheckReport, type CheckResult, type FormatOptions, type ResourceIdentity } from './types.js';

const STYLES = { red: [31, 39], yellow: [33, 39], cyan: [36, 39], bold: [1, 22], dim: [2, 22], green: [32, 39] } as const;
export type Style = keyof typeof STYLES;

/** ANSI colour when `color`, the text as it is otherwise. Shared by check's and audit's text reports. */
export function painter(color: boolean): (style: Style, text: string) => string {
  return (style: Style, text: string) => (color ? `\u001b[${STYLES[style][0]}m${text}\u001b[${STYLES[style][1]}m` : text);
}

const MODE_STYLE: Record<string, Style> = { enforce: 'red', warn: 'yellow', audit: 'cyan', error: 'red', excepted: 'dim' };
const LABEL_WIDTH = 'enforce'.length;

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function where(file: string, line: number | null, column: number | null): string {
  if (line === null) return file;
  return column === null ? `${file}:${line}` : `${file}:${line}:${column}`;
}

/** An object as people name it: `Deployment team-a/web`, `Namespace team-b`. */
export function objectName(object: ResourceIdentity): string {
  const name = object.name ?? '(unnamed)';
  return `${object.kind} ${object.namespace === null ? name : `${object.namespace}/${name}`}`;
}

type Entry = { kind: 'result'; item: ShownResult } | { kind: 'error'; item: CheckError };

/** How many skipped entries the text report lists; JSON lists them all. */
const MAX_SKIPPED_SHOWN = 20;

/** What a directory walk passed over, one per line, for the summary. */
export function skippedLines(report: CheckReport): string[] {
  if (report.skipped.length === 0) return [];
  const lines = [`Skipped, not Kubernetes objects:`];
  for (const entry of report.skipped.slice(0, MAX_SKIPPED_SHOWN)) lines.push(`  ${where(entry.file, entry.line, null)}  ${entry.reason}`);
  const more = report.skipped.length - MAX_SKIPPED_SHOWN;
  if (more > 0) lines.push(`  … and ${more} more (--output json lists them all)`);
  return lines;
}

/**
 * The closing lines shared by the human-readable formats. They count the findings as shown: each once,
 * in its strongest mode (the JSON's summary counts one per mode).
 */
export function summaryLines(report: CheckReport, options: Pick<FormatOptions, 'failOn'>, shown: readonly CheckResult[] = inStrongestMode(report.results)): string[] {
  const { summary } = report;
  const count = (mode: string) => shown.filter((result) => result.mode === mode).length;
  const excepted = summary.excepted > 0 ? `${summary.excepted} excepted, ` : '';
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} skipped` : '';
  const counts = `${count('enforce')} enforce, ${count('warn')} warn, ${count('audit')} audit, ${excepted}${plural(summary.errors, 'input error')}${skipped}`;
  const lines = [`Checked ${plural(summary.resources, 'resource')} in ${plural(summary.files, 'file')}: ${counts}.`];
  const failing = shown.filter((result) => failsRun(result.mode, options.failOn)).length;
  if (summary.errors > 0) lines.push(`Failed: ${plural(summary.errors, 'input error')} (exit 2).`);
  else if (failing > 0) lines.push(`Failed: ${plural(failing, 'finding')} at or above --fail-on ${options.failOn} (exit 1).`);
  else lines.push(options.failOn === 'never' ? 'Passed (--fail-on never).' : `Passed: nothing at or above --fail-on ${options.failOn}.`);
  return lines;
}

export function formatText(report: CheckReport, options: FormatOptions): string {
  const paint = painter(options.color);
  const byFile = new Map<string, Entry[]>();
  const add = (file: string, entry: Entry) => {
    const entries = byFile.get(file);
    if (entries) entries.push(entry);
    else byFile.set(file, [entry]);
  };
  const shown = inStrongestMode(report.results);
  for (const error of report.errors) add(error.file, { kind: 'error', item: error });
  for (const result of shown) add(result.file, { kind: 'result', item: result });

  // Wider only when an excepted finding is shown, so that the usual report keeps its columns.
  const labelWidth = report.results.some((result) => result.mode === 'excepted') ? 'excepted'.length : LABEL_WIDTH;
  const out: string[] = [];
  for (const file of report.files) {
    const entries = byFile.get(file);
    if (!entries) continue;
    entries.sort((a, b) => (a.item.line ?? 0) - (b.item.line ?? 0) || (a.item.column ?? 0) - (b.item.column ?? 0));
    for (const entry of entries) {
      const location = where(entry.item.file, entry.item.line, entry.item.column);
      if (entry.kind === 'error') {
        out.push(`${location}  ${paint('red', 'error'.padEnd(labelWidth))}  ${entry.item.message}`);
      } else {
        const result = entry.item;
        const mode = paint(MODE_STYLE[result.mode] ?? 'bold', result.mode.padEnd(labelWidth));
        const exception = result.exception === undefined ? '' : paint('dim', ` (exception ${result.exception})`);
        out.push(`${location}  ${mode}  ${paint('dim', `${result.rule}/${result.check}`)}  ${objectName(result)}: ${result.message}${exception}`);
      }
    }
    out.push('');
  }
  out.push(...skippedLines(report).map((line, index) => (index === 0 ? line : paint('dim', line))));
  const [counts, verdict] = summaryLines(report, options, shown);
  out.push(counts ?? '');
  if (verdict !== undefined) out.push(paint(verdict.startsWith('Failed') ? 'red' : 'green', verdict));
  return `${out.join('\n')}\n`;
}
