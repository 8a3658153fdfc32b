// node:util.parseArgs with the errors turned into InputErrors a user can act on.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new InputError(`${error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error)} (see --help)`);
  }
}

/** A flag value that must be one of a fixed set. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`--${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
}

/** A namespace name is a DNS label: lowercase letters, digits and `-`, at most 63 characters. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A flag value that must be a namespace name (`check --namespace`, `audit --namespace`). */
export function namespaceName(flag: string, value: string): string {
  if (!DNS_LABEL.test(value)) throw new InputError(`--${flag} must be a namespace name such as "team-a" (got ${JSON.stringify(value)})`);
  return value;
}

export function portNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--${flag} must be a port number 0-65535 (got ${JSON.stringify(value)})`);
  return port;
}
