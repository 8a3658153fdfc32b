// The shape of a CLI command: metadata for `--help`, and a run function that returns an exit code.
// Commands throw InputError for bad input; only main.ts prints errors and exits.
import type { Writable } from 'node:stream';
import type { ParseArgsOptionDescriptor } from 'node:util';
import { exceptionStatuses, expiredLine } from '../rules/exceptions/status.js';
import type { ExceptionConfig } from '../rules/types.js';

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The clock exceptions expire against, in milliseconds since the epoch (tests fix it). Default Date.now. */
  now?: () => number;
}

/**
 * One option of a command, declared once as data: node:util.parseArgs reads it (through
 * parseCommandArgs), and `policygate completion` completes from it, so the two cannot disagree.
 */
export interface OptionSpec extends ParseArgsOptionDescriptor {
  /** The value's fixed set, offered by completion (the command still checks the value, with oneOf). */
  choices?: readonly string[];
  /** The value is a path: completion offers file names, or directory names only. */
  path?: 'file' | 'directory';
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface Command {
  name: string;
  summary: string;
  /** Full usage text printed by `policygate <name> --help`. */
  usage: string;
  /** The options `run` parses (`--help` is main's); completion offers the same. */
  options: OptionSpecs;
  /** What completion offers for the operands: paths, a fixed set of words, or nothing (absent). */
  operands?: 'paths' | readonly string[];
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** Colour on a terminal, unless NO_COLOR says otherwise; FORCE_COLOR forces it (or, as `0`/`false`, refuses it). */
export function useColor(io: CommandIO): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.stdout.isTTY === true;
}

/** One warning line per configured exception that has expired, on stderr, as `policygate <command>: ...`. */
export function warnAboutExpiredExceptions(command: string, exceptions: readonly ExceptionConfig[], now: number, io: CommandIO): void {
  for (const status of exceptionStatuses(exceptions, now)) if (status.expired) io.stderr.write(`policygate ${command}: ${expiredLine(status)}\n`);
}
