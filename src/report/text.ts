// `-o text`: for people. Findings and input errors grouped by file, one per line as
// `file:line:column  mode  rule/check  Kind namespace/name: message` (a form editors and terminals link
// to the source), each finding once in its strongest mode, then a summary. Colour only when asked (the
// CLI asks on a TTY). Written as the checker reads: a file's lines as soon as its documents are judged.
import { byPlace, renderReport, type Output, type Reporter, type ReporterOptions } from './reporter.js';
import { inStrongestMode, type ShownResult } from './strongest-mode.js';
import { failsRun, type CheckError, type CheckReport, type CheckSummary, type FailOn, type ResourceIdentity, type ResultMode, type SkippedInput } from './types.js';

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

/** How many skipped entries the text report lists; JSON lists them all. */
const MAX_SKIPPED_SHOWN = 20;

/** The findings as the human formats show them, counted: each once, in its strongest mode. */
export class ShownCounts {
  readonly modes: Record<ResultMode, number> = { enforce: 0, warn: 0, audit: 0, excepted: 0 };
  failing = 0;

  constructor(private readonly failOn: FailOn) {}

  add(result: ShownResult): void {
    this.modes[result.mode]++;
    if (failsRun(result.mode, this.failOn)) this.failing++;
  }
}

/** What a directory walk passed over, one per line, for the summary; the first ones and a count. */
export class SkippedList {
  readonly #shown: SkippedInput[] = [];
  #count = 0;

  add(entry: SkippedInput): void {
    if (this.#shown.length < MAX_SKIPPED_SHOWN) this.#shown.push(entry);
    this.#count++;
  }

  lines(): string[] {
    if (this.#count === 0) return [];
    const lines = ['Skipped, not Kubernetes objects:'];
    for (const entry of this.#shown) lines.push(`  ${where(entry.file, entry.line, null)}  ${entry.reason}`);
    if (this.#count > this.#shown.length) lines.push(`  … and ${this.#count - this.#shown.length} more (-o json lists them all)`);
    return lines;
  }
}

/**
 * The closing lines shared by the human-readable formats. They count the findings as shown: each once,
 * in its strongest mode (the JSON's summary counts one per mode).
 */
export function summaryLines(summary: CheckSummary, shown: ShownCounts, failOn: FailOn): string[] {
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} skipped` : '';
  const excepted = summary.excepted > 0 ? `${summary.excepted} excepted, ` : '';
  const counts = `${shown.modes.enforce} enforce, ${shown.modes.warn} warn, ${shown.modes.audit} audit, ${excepted}${plural(summary.errors, 'input error')}${skipped}`;
  const lines = [`Checked ${plural(summary.resources, 'resource')} in ${plural(summary.files, 'file')}: ${counts}.`];
  if (summary.errors > 0) lines.push(`Failed: ${plural(summary.errors, 'input error')} (exit 2).`);
  else if (shown.failing > 0) lines.push(`Failed: ${plural(shown.failing, 'finding')} at or above --fail-on ${failOn} (exit 1).`);
  else lines.push(failOn === 'never' ? 'Passed (--fail-on never).' : `Passed: nothing at or above --fail-on ${failOn}.`);
  return lines;
}

type Entry = { kind: 'result'; item: ShownResult } | { kind: 'error'; item: CheckError };

export function textReporter(output: Output, options: ReporterOptions): Reporter {
  const paint = painter(options.color);
  // Wider only when exceptions are configured, so that the usual report keeps its columns (the lines
  // are written as they come: whether one will be excepted is not known before).
  const labelWidth = options.config.exceptions.length > 0 ? 'excepted'.length : LABEL_WIDTH;
  const shown = new ShownCounts(options.failOn);
  const skipped = new SkippedList();
  /** The file whose lines are being written; a blank line closes each file's group. */
  let file: string | undefined;

  const startGroup = (name: string) => {
    if (file === name) return;
    if (file !== undefined) output.write('\n');
    file = name;
  };
  const line = (entry: Entry) => {
    const location = where(entry.item.file, entry.item.line, entry.item.column);
    if (entry.kind === 'error') {
      output.write(`${location}  ${paint('red', 'error'.padEnd(labelWidth))}  ${entry.item.message}\n`);
      return;
    }
    const result = entry.item;
    const mode = paint(MODE_STYLE[result.mode] ?? 'bold', result.mode.padEnd(labelWidth));
    const exception = result.exception === undefined ? '' : paint('dim', ` (exception ${result.exception})`);
    output.write(`${location}  ${mode}  ${paint('dim', `${result.rule}/${result.check}`)}  ${objectName(result)}: ${result.message}${exception}\n`);
  };

  return {
    document(resources, errors) {
      const entries: Entry[] = errors.map((item) => ({ kind: 'error', item }));
      for (const resource of resources) {
        for (const item of inStrongestMode(resource.results)) {
          shown.add(item);
          entries.push({ kind: 'result', item });
        }
      }
      if (entries.length === 0) return;
      entries.sort((a, b) => byPlace(a.item, b.item));
      startGroup(entries[0]?.item.file ?? '');
      for (const entry of entries) line(entry);
    },
    error(error) {
      startGroup(error.file);
      line({ kind: 'error', item: error });
    },
    skipped(entry) {
      skipped.add(entry);
    },
    end(summary) {
      if (file !== undefined) output.write('\n');
      const closing = skipped.lines().map((text, index) => (index === 0 ? text : paint('dim', text)));
      const [counts, verdict] = summaryLines(summary, shown, options.failOn);
      closing.push(counts ?? '');
      if (verdict !== undefined) closing.push(paint(verdict.startsWith('Failed') ? 'red' : 'green', verdict));
      output.write(`${closing.join('\n')}\n`);
    },
  };
}

export function formatText(report: CheckReport, options: ReporterOptions): string {
  return renderReport(report, textReporter, options);
}
