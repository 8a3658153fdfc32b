// The shape of a CLI command: metadata for `--help`, and a run function that returns an exit code.
// Commands throw InputError for bad input; only main.ts prints errors and exits.
import type { Writable } from 'node:stream';

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Full usage text printed by `policygate <name> --help`. */
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}
