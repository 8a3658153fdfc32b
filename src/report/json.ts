// `-o json`: the stable contract, documented in the README. Fields are listed explicitly so that
// nothing added to the report model leaks into it unannounced. Files are named from the repository's
// root (paths.ts).
import { reportPaths } from './paths.js';
import type { CheckReport, FormatOptions } from './types.js';

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

function toJsonReport(report: CheckReport, options: Pick<FormatOptions, 'cwd' | 'root'>): JsonReport {
  const pathOf = reportPaths(options.cwd, options.root);
  return {
    results: report.results.map((result) => ({
      file: pathOf(result.file).path,
      line: result.line,
      column: result.column,
      apiVersion: result.apiVersion,
      kind: result.kind,
      namespace: result.namespace,
      name: result.name,
      rule: result.rule,
      check: result.check,
      mode: result.mode,
      ...(result.exception !== undefined ? { exception: result.exception } : {}),
      path: result.path,
      message: result.message,
    })),
    errors: report.errors.map((error) => ({ file: pathOf(error.file).path, line: error.line, column: error.column, message: error.message })),
    skipped: report.skipped.map((entry) => ({ file: pathOf(entry.file).path, line: entry.line, reason: entry.reason })),
    summary: { ...report.summary },
  };
}

export function formatJson(report: CheckReport, options: Pick<FormatOptions, 'cwd' | 'root'>): string {
  return `${JSON.stringify(toJsonReport(report, options), null, 2)}\n`;
}
