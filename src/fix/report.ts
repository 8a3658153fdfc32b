// The report of `policygate fix`, for people (`-o text`) and for tools (`-o json`, a stable contract
// like check's). What it says: the objects changed and the checks that pass on them now, then every
// finding that remains, each with its file:line:column, beside the notes that say why fix left a field.
import { plural, where } from '../report/text.js';
import type { FixReport } from './fix-manifests.js';

export const FIX_OUTPUTS = ['text', 'json'] as const;
export type FixOutput = (typeof FIX_OUTPUTS)[number];

export interface FixReportOptions {
  /** `--diff`: nothing was written; the report says what would be. */
  dryRun: boolean;
}

function objectName(item: { kind: string; namespace: string | null; name: string | null }): string {
  const name = item.name ?? '(no name)';
  return `${item.kind} ${item.namespace ? `${item.namespace}/${name}` : name}`;
}

export function formatFixText(report: FixReport, options: FixReportOptions): string {
  const out: string[] = [];
  if (report.changes.length > 0) {
    out.push(options.dryRun ? 'Would fix:' : 'Fixed:');
    for (const change of report.changes) {
      const partly = change.partly.length > 0 ? `partly: ${change.partly.join(', ')}` : '';
      const checks = [change.fixed.join(', '), partly].filter((text) => text !== '').join('; ');
      out.push(`  ${where(change.file, change.line, change.column)}  ${objectName(change)}  ${checks}`);
    }
  }
  type Line = { file: string; line: number | null; column: number | null; text: string; rank: number };
  const lines: Line[] = [
    ...report.errors.map((error) => ({ ...error, text: `error    ${error.message}`, rank: 0 })),
    ...report.remaining.map((result) => ({ ...result, text: `${result.mode.padEnd(7)}  ${result.rule}/${result.check}  ${result.message}`, rank: 1 })),
    ...report.notes.map((note) => ({ ...note, text: `note     ${note.path === '' ? objectName(note) : note.path}: ${note.reason}`, rank: 2 })),
  ];
  const files = report.files.map((file) => file.name);
  const fileIndex = (file: string) => (files.includes(file) ? files.indexOf(file) : files.length);
  lines.sort((a, b) => fileIndex(a.file) - fileIndex(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.rank - b.rank);
  if (lines.length > 0) {
    if (out.length > 0) out.push('');
    out.push(report.remaining.length > 0 || report.notes.length > 0 ? 'Needs a person:' : 'Input errors:');
    for (const line of lines) out.push(`  ${where(line.file, line.line, line.column)}  ${line.text}`);
  }
  if (out.length > 0) out.push('');
  const { summary } = report;
  const changed = `${options.dryRun ? 'Would change' : 'Changed'} ${plural(summary.objectsChanged, 'object')} in ${plural(summary.filesChanged, 'file')} (of ${plural(summary.objects, 'object')} in ${plural(summary.files, 'file')})`;
  out.push(`${changed}: ${plural(summary.fixed, 'finding')} fixed, ${summary.remaining} remaining, ${plural(summary.errors, 'input error')}.`);
  if (summary.errors > 0) out.push(`Failed: ${plural(summary.errors, 'input error')} (exit 2).`);
  else if (summary.remaining > 0) out.push(`Needs a person: ${plural(summary.remaining, 'finding')} (exit 1).`);
  else out.push(options.dryRun ? 'Passes once the diff is applied.' : 'Passed: nothing remains.');
  return `${out.join('\n')}\n`;
}

export function formatFixJson(report: FixReport, options: FixReportOptions): string {
  const json = {
    dryRun: options.dryRun,
    changes: report.changes.map((change) => ({
      file: change.file,
      line: change.line,
      column: change.column,
      apiVersion: change.apiVersion,
      kind: change.kind,
      namespace: change.namespace,
      name: change.name,
      fixed: change.fixed,
      partly: change.partly,
      patch: change.operations,
    })),
    remaining: report.remaining.map((result) => ({
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
      path: result.path,
      message: result.message,
    })),
    notes: report.notes.map((note) => ({
      file: note.file,
      line: note.line,
      column: note.column,
      apiVersion: note.apiVersion,
      kind: note.kind,
      namespace: note.namespace,
      name: note.name,
      path: note.path,
      reason: note.reason,
    })),
    errors: report.errors.map((error) => ({ file: error.file, line: error.line, message: error.message })),
    summary: report.summary,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
