// node:util.parseArgs with the errors turned into InputErrors a user can act on.
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import type { OptionSpecs } from './command.js';

/** A command's argv parsed by its declared options (parseArgs ignores the completion hints in them), with tokens, so that a command can keep the order of repeated options and positionals. */
export function parseCommandArgs<T extends OptionSpecs>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true, tokens: true });
  } catch (error) {
    throw new InputError(`${error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error)} (see --help)`);
  }
}

/** The format asked with -o/--output or --format (one of them, or both the same). */
export function outputFormat<T extends string>(values: { output?: string | undefined; format?: string | undefined }, allowed: readonly T[], fallback: T): T {
  const { output, format } = values;
  if (output !== undefined && format !== undefined && output !== format) {
    throw new InputError(`--output ${JSON.stringify(output)} and --format ${JSON.stringify(format)} disagree: give one (--format is another name for --output)`);
  }
  return oneOf(output !== undefined ? 'output' : 'format', output ?? format, allowed, fallback);
}

/**
 * `-f` named the output format before it named input files, as kubectl's `-f`/`--filename` does. A
 * command that reads no files refuses it with the way to say what was meant, not "Unknown option".
 */
export function refuseOldFormatFlag(argv: readonly string[], command: string): void {
  const flag = argv.find((arg) => arg === '-f' || (arg.startsWith('-f') && !arg.startsWith('--')));
  if (flag === undefined) return;
  throw new InputError(`-f names input files (kubectl's --filename), and ${command} reads none: for the output format use -o FORMAT (or --format FORMAT)`);
}

/** A flag value that must be one of a fixed set. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`--${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

/** A DNS label, as Kubernetes requires of Namespace and Service names: lowercase letters, digits and `-`, at most 63 characters. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A flag value that must be a DNS label; `what` says which kind, with an example: `a Service name such as "policygate"`. */
export function dnsLabel(flag: string, value: string, what: string): string {
  if (!DNS_LABEL.test(value)) throw new InputError(`--${flag} must be ${what} (got ${JSON.stringify(value)})`);
  return value;
}

/** A flag value that must be a namespace name (`check --namespace`, `audit --namespace`, `certs --namespace`). */
export function namespaceName(flag: string, value: string): string {
  return dnsLabel(flag, value, 'a namespace name such as "team-a"');
}

export interface WholeNumberOptions {
  min: number;
  max?: number;
  /** What the message calls a valid value (default: `a whole number`, `… of at least MIN` or `… from MIN to MAX`). */
  what?: string;
}

/**
 * A flag value that must be a whole number written in decimal digits, within [min, max]. Not
 * `Number(value)`: that takes "" as 0, and "1e3", "0x10", " 7" and "7.0" as numbers.
 */
export function wholeNumber(flag: string, value: string, { min, max = Number.MAX_SAFE_INTEGER, what }: WholeNumberOptions): number {
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const range = max !== Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : '';
    throw new InputError(`--${flag} must be ${what ?? `a whole number${range}`} (got ${JSON.stringify(value)})`);
  }
  return number;
}

/** A flag value that must be a TCP port; 0 asks the system for a free one. */
export function portNumber(flag: string, value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : wholeNumber(flag, value, { min: 0, max: 65535, what: 'a port number 0-65535' });
}
