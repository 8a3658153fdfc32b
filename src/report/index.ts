// The output formats of `policygate check`, one file each, and the report model they share.
import type { PolicyConfig } from '../rules/types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { CheckReport, FormatOptions } from './types.js';

export const FORMATS = ['text', 'json', 'junit', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export type Formatter = (report: CheckReport, options: FormatOptions & { config: PolicyConfig }) => string;

export const FORMATTERS: Record<Format, Formatter> = {
  text: formatText,
  json: formatJson,
  junit: formatJunit,
  sarif: formatSarif,
  github: formatGithub,
};

export * from './types.js';
export type { JsonReport } from './json.js';
