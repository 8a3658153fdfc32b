// The report of one `policygate check` run: what every output format renders. The JSON format is this
// model's public projection (documented in the README); the others draw on the same fields.
import { EXIT } from '../errors.js';
import type { ActiveMode } from '../rules/types.js';

/** The weakest mode that fails the run; `never` fails on nothing (input errors still exit 2). */
export type FailOn = ActiveMode | 'never';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['enforce', 'warn', 'audit', 'never'];

/** A result's mode: the mode it was raised in, or `excepted` when a configured exception excepts it. */
export type ResultMode = ActiveMode | 'excepted';

const STRENGTH: Record<ResultMode, number> = { excepted: 0, audit: 1, warn: 2, enforce: 3 };

/** Whether a finding in `mode` fails a run with `--fail-on failOn`; an excepted finding never does. */
export function failsRun(mode: ResultMode, failOn: FailOn): boolean {
  return failOn !== 'never' && STRENGTH[mode] >= STRENGTH[failOn];
}

export interface ResourceIdentity {
  apiVersion: string;
  kind: string;
  /** The namespace the object is judged in; null for cluster-scoped kinds (Namespace). */
  namespace: string | null;
  name: string | null;
}

export interface FieldLocation {
  path: string;
  line: number;
  column: number;
}

export interface CheckResult extends ResourceIdentity {
  file: string;
  /** Line and column of the offending field (or of its nearest existing ancestor). */
  line: number;
  column: number;
  rule: string;
  check: string;
  mode: ResultMode;
  /** With mode `excepted`: the configured exception that excepts it. */
  exception?: string | undefined;
  path: string;
  /** For pod-security, PSA's `reason (detail)`. */
  message: string;
  /** pod-security: the `level:version` that raised the finding. */
  policy?: string | undefined;
  /** The other offending fields when the finding names several (the first is `path`). */
  related: FieldLocation[];
}

export interface CheckError {
  file: string;
  /** One-based; null when the error concerns a whole file (it could not be read). */
  line: number | null;
  column: number | null;
  message: string;
}

/** A file, directory or document a directory walk passed over, and why. */
export interface SkippedInput {
  file: string;
  /** The document's line; null for a whole file or directory. */
  line: number | null;
  reason: string;
}

export interface CheckedResource extends ResourceIdentity {
  file: string;
  line: number;
  column: number;
  results: CheckResult[];
}

export interface CheckSummary {
  files: number;
  resources: number;
  enforce: number;
  warn: number;
  audit: number;
  /** Findings configured exceptions except. */
  excepted: number;
  errors: number;
  /** Files, directories and documents passed over as not Kubernetes objects. */
  skipped: number;
}

export interface CheckReport {
  /** The files read, in the order they were checked. */
  files: string[];
  resources: CheckedResource[];
  /** Every finding, by file (in `files` order), then line and column. */
  results: CheckResult[];
  /** Input errors, by file, then line. */
  errors: CheckError[];
  /** What a directory walk passed over, in the order met. */
  skipped: SkippedInput[];
  summary: CheckSummary;
}

/** What a format needs besides the report. */
export interface FormatOptions {
  failOn: FailOn;
  /** ANSI colours (text only). */
  color: boolean;
  /** The directory the file names in the report are relative to (where the command ran). */
  cwd: string;
  /** The repository's root, which the machine formats name files from (see paths.ts). */
  root: string;
  /** policygate's version, for formats that name the tool. */
  version: string;
}

/** The exit code a report stands for: 2 with any input error, 1 with a finding at --fail-on, else 0. */
export function exitCodeOf(report: CheckReport, failOn: FailOn): number {
  return exitCodeOfSummary(report.summary, failOn);
}

/** The same, from the counts alone: what a run that did not keep its findings knows at the end. */
export function exitCodeOfSummary(summary: CheckSummary, failOn: FailOn): number {
  if (summary.errors > 0) return EXIT.input;
  return (['enforce', 'warn', 'audit'] as const).some((mode) => summary[mode] > 0 && failsRun(mode, failOn)) ? EXIT.findings : EXIT.ok;
}
