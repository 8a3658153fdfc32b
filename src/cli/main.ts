// The `policygate` binary: dispatches to one command, prints InputErrors as one line, and turns
// every outcome into a documented exit code. Nothing below this file prints a stack trace to a user.
import { EXIT, InputError } from '../errors.js';
import type { CommandIO } from './command.js';
import { COMMANDS } from './commands.js';

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'policygate: Kubernetes admission policy — one set of rules for the webhook, CI and audits',
    '',
    'Usage: policygate <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'policygate <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage, configuration or input error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error: the usage goes to stderr, as for an unknown command.
    io.stderr.write(usage());
    return EXIT.input;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write((await import('./version.js')).versionLine());
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`policygate: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.input;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`policygate ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug, not the user's fault: say so in one line, keep the detail for a bug report.
    const detail = error instanceof Error ? error.message : String(error);
    io.stderr.write(`policygate ${name}: internal error: ${detail}\n`);
    if (io.env.POLICYGATE_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    return EXIT.input;
  }
}

const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
const code = await main(process.argv.slice(2), io);
// `serve` resolves only when the server has shut down; other commands are done here.
process.exitCode = code;
