// The output formats of `policygate check`, one file each, and the report model they share. Each format
// is a Reporter written while the checker reads (reporter.ts); FORMATTERS render a finished report.
import { githubReporter, formatGithub } from './github.js';
import { formatJson, jsonReporter } from './json.js';
import { formatJunit, junitReporter } from './junit.js';
import type { ReporterFactory, ReporterOptions } from './reporter.js';
import { formatSarif, sarifReporter } from './sarif.js';
import { formatText, textReporter } from './text.js';
import type { CheckReport } from './types.js';

export const FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export type Formatter = (report: CheckReport, options: ReporterOptions) => string;

export const REPORTERS: Record<Format, ReporterFactory> = {
  text: textReporter,
  json: jsonReporter,
  junit: junitReporter,
  sarif: sarifReporter,
  github: githubReporter,
};

export const FORMATTERS: Record<Format, Formatter> = {
  text: formatText,
  json: formatJson,
  junit: formatJunit,
  sarif: formatSarif,
  github: formatGithub,
};

export * from './types.js';
export { Output, type Reporter, type ReporterFactory, type ReporterOptions } from './reporter.js';
export type { JsonReport } from './json.js';
