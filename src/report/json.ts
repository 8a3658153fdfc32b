// `--format json`: the stable contract, documented in the README. Fields are listed explicitly so that
// nothing added to the report model leaks into it unannounced.
import type { CheckReport } from './types.js';

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
  errors: { file: string; line: number | null; message: string }[];
  skipped: { file: string; line: number | null; reason: string }[];
  summary: { files: number; resources: number; enforce: number; warn: number; audit: number; excepted: number; errors: number; skipped: number };
}

function toJsonReport(report: CheckReport): JsonReport {
  return {
    results: report.results.map((result) => ({
      file: result.file,
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
    errors: report.errors.map((error) => ({ file: error.file, line: error.line, message: error.message })),
    skipped: report.skipped.map((entry) => ({ file: entry.file, line: entry.line, reason: entry.reason })),
    summary: { ...report.summary },
  };
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
