// The shape of a CLI command: metadata for `--help`, and a run function that returns an exit code.
// Commands throw InputError for bad input; only main.ts prints errors and exits.
import type { Writable } from 'node:stream';
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

export interface Command {
  name: string;
  summary: string;
  /** Full usage text printed by `policygate <name> --help`. */
  usage: string;
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
