// How a report is written while the checker reads: each format is a Reporter that receives the objects
// of one document at a time and writes what it can at once, so that memory follows the largest document,
// not the input. Text, JSON, GitHub and SARIF write every finding as it comes; JUnit must put its counts
// in its first lines, so it keeps its test cases (as XML text) until the end.
import type { Writable } from 'node:stream';
import type { CheckError, CheckReport, CheckSummary, CheckedResource, FormatOptions, SkippedInput } from './types.js';
import type { PolicyConfig } from '../rules/types.js';

export interface Reporter {
  /** The objects of one document (several for a List), each with its findings in source order, and the document's input errors. */
  document(resources: readonly CheckedResource[], errors: readonly CheckError[]): void;
  /** An input error outside any document: a file that cannot be read, an argument with nothing in it. */
  error(error: CheckError): void;
  /** Something a directory walk passed over. */
  skipped(entry: SkippedInput): void;
  /** The run is over. */
  end(summary: CheckSummary): void;
}

export type ReporterOptions = FormatOptions & { config: PolicyConfig };

export type ReporterFactory = (output: Output, options: ReporterOptions) => Reporter;

/**
 * Text written to a stream in blocks of 64 KiB rather than line by line (a write per line costs a system
 * call on a pipe), and held back when the stream asks the writer to wait (`ready()`), so that a slow
 * reader does not make the output pile up in memory.
 */
export class Output {
  readonly #stream: Writable | undefined;
  #pending = '';
  /** Everything written, when there is no stream (a report made into a string). */
  #collected = '';

  constructor(stream?: Writable) {
    this.#stream = stream;
  }

  write(text: string): void {
    if (this.#stream === undefined) {
      this.#collected += text;
      return;
    }
    this.#pending += text;
    if (this.#pending.length >= BLOCK) this.flush();
  }

  flush(): void {
    if (this.#stream === undefined || this.#pending.length === 0) return;
    this.#stream.write(this.#pending);
    this.#pending = '';
  }

  /** Resolves when the stream can take more; undefined (no wait) when it can now. */
  ready(): Promise<void> | undefined {
    const stream = this.#stream;
    if (stream === undefined || !stream.writableNeedDrain) return undefined;
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => {
        stream.off('drain', done);
        stream.off('error', done);
        if (error instanceof Error) reject(error);
        else resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
    });
  }

  /** What was written, for an Output without a stream. */
  text(): string {
    return this.#collected;
  }
}

const BLOCK = 1 << 16;

/**
 * A finished report written by a Reporter into a string: the same output the streaming run gives,
 * for callers (and tests) that hold a whole report. Per file, its unplaced errors come first, then its
 * documents in source order.
 */
export function renderReport(report: CheckReport, factory: ReporterFactory, options: ReporterOptions): string {
  const output = new Output();
  const reporter = factory(output, options);
  const resourcesByFile = groupByFile(report.resources);
  const errorsByFile = groupByFile(report.errors);
  for (const file of report.files) {
    const errors = errorsByFile.get(file) ?? [];
    for (const error of errors) if (error.line === null) reporter.error(error);
    const placed = errors.filter((error) => error.line !== null);
    const resources = resourcesByFile.get(file) ?? [];
    if (resources.length > 0 || placed.length > 0) reporter.document(resources, placed);
    errorsByFile.delete(file);
  }
  for (const errors of errorsByFile.values()) for (const error of errors) reporter.error(error);
  for (const entry of report.skipped) reporter.skipped(entry);
  reporter.end(report.summary);
  return output.text();
}

function groupByFile<T extends { file: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.file);
    if (group) group.push(item);
    else groups.set(item.file, [item]);
  }
  return groups;
}

/** Input errors and findings of one document, in the order of their lines and columns (stable). */
export function byPlace<T extends { line: number | null; column: number | null }>(a: T, b: T): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
