// The package version, read once from package.json next to dist/ or src/, and `policygate version`.
import { readFileSync } from 'node:fs';
import { EXIT } from '../errors.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { parseCommandArgs } from './parse-args.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What `policygate version` and `policygate --version` print: the version, and the Node.js it runs on. */
export function versionLine(): string {
  return `policygate ${VERSION} (Node.js ${process.version})\n`;
}

const USAGE = `Usage: policygate version

Print policygate's version and the Node.js version it runs on (the same as policygate --version).

Options:
  -h, --help   show this help
`;

const OPTIONS = {} satisfies OptionSpecs;

async function run(argv: string[], io: CommandIO): Promise<number> {
  parseCommandArgs(argv, OPTIONS, false);
  io.stdout.write(versionLine());
  return EXIT.ok;
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version of policygate and of the Node.js it runs on',
  usage: USAGE,
  options: OPTIONS,
  run,
};
