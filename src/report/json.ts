// `-o json`: the stable contract, documented in the README. Fields are listed explicitly so that
// nothing added to the report model leaks into it unannounced. Files are named from the repository's
// root (paths.ts). Written as the checker reads: each result as its document is judged, laid out exactly
// as JSON.stringify(report, null, 2) would lay out the whole; errors and skipped entries, which follow
// the results, are kept until the end.
import { reportPaths } from './paths.js';
import { byPlace, renderReport, type Output, type Reporter, type ReporterOptions } from './reporter.js';
import type { CheckError, CheckReport, CheckResult, FormatOptions, SkippedInput } from './types.js';

export interface JsonReport {
  results: {
    file: string;
    line: number;
    column: number;
    apiVersion: string;
    kind: string;
    namespace: string | null;
    name: string | null;
    rule: string;
    check: string;
    mode: 'enforce' | 'warn' | 'audit' | 'excepted';
    /** Only with mode `excepted`: the exception's name. */
    exception?: string;
    path: string;
    message: string;
  }[];
  errors: { file: string; line: number | null; column: number | null; message: string }[];
  skipped: { file: string; line: number | null; reason: string }[];
  summary: { files: number; resources: number; enforce: number; warn: number; audit: number; excepted: number; errors: number; skipped: number };
}

/** `value` as JSON.stringify(value, null, 2) writes it `depth` levels down. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

const RESULT_KEYS = ['file', 'line', 'column', 'apiVersion', 'kind', 'namespace', 'name', 'rule', 'check', 'mode', 'exception', 'path', 'message'] as const;

/**
 * One result as `nested(result, 2)` writes it, key by key: the JSON report of a large input holds
 * hundreds of thousands of results, and this is several times faster than indenting stringify's output.
 */
function resultText(result: JsonReport['results'][number]): string {
  let text = '{';
  for (const [index, key] of RESULT_KEYS.entries()) {
    // `exception` is there only with mode `excepted`, as JSON.stringify leaves out an undefined field.
    if (result[key] !== undefined) text += `${index === 0 ? '' : ','}\n      "${key}": ${JSON.stringify(result[key])}`;
  }
  return `${text}\n    }`;
}

function list(values: readonly unknown[]): string {
  return values.length === 0 ? '[]' : `[\n    ${values.map((value) => nested(value, 2)).join(',\n    ')}\n  ]`;
}

export function jsonReporter(output: Output, options: Pick<FormatOptions, 'cwd' | 'root'>): Reporter {
  const pathOf = reportPaths(options.cwd, options.root);
  const errors: JsonReport['errors'] = [];
  const skipped: JsonReport['skipped'] = [];
  let results = 0;
  const result = (entry: CheckResult): JsonReport['results'][number] => ({
    file: pathOf(entry.file).path,
    line: entry.line,
    column: entry.column,
    apiVersion: entry.apiVersion,
    kind: entry.kind,
    namespace: entry.namespace,
    name: entry.name,
    rule: entry.rule,
    check: entry.check,
    mode: entry.mode,
    ...(entry.exception !== undefined ? { exception: entry.exception } : {}),
    path: entry.path,
    message: entry.message,
  });
  const error = (entry: CheckError) => errors.push({ file: pathOf(entry.file).path, line: entry.line, column: entry.column, message: entry.message });
  return {
    document(resources, documentErrors) {
      const found = resources.flatMap((resource) => resource.results).sort(byPlace);
      for (const entry of found) {
        output.write(`${results === 0 ? '{\n  "results": [\n    ' : ',\n    '}${resultText(result(entry))}`);
        results++;
      }
      for (const entry of documentErrors) error(entry);
    },
    error,
    skipped(entry: SkippedInput) {
      skipped.push({ file: pathOf(entry.file).path, line: entry.line, reason: entry.reason });
    },
    end(summary) {
      output.write(results === 0 ? '{\n  "results": [],\n' : '\n  ],\n');
      output.write(`  "errors": ${list(errors)},\n  "skipped": ${list(skipped)},\n  "summary": ${nested({ ...summary }, 1)}\n}\n`);
    },
  };
}

export function formatJson(report: CheckReport, options: ReporterOptions): string {
  return renderReport(report, jsonReporter, options);
}
