// The `policygate` binary: dispatches to one command, prints InputErrors as one line, and turns
// every outcome into a documented exit code. Nothing below this file prints a stack trace to a user.
import { EXIT, InputError } from '../errors.js';
import type { Command, CommandIO } from './command.js';

/** Commands are loaded on demand: `check` in CI should not pay for loading fastify. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the validating and mutating admission webhook over TLS', load: async () => (await import('./serve.js')).serveCommand },
  check: { summary: 'check manifests (files, directories, stdin) offline, as the webhook would', load: async () => (await import('./check.js')).checkCommand },
  fix: { summary: 'rewrite manifests so that they pass, keeping comments and layout (--diff to preview)', load: async () => (await import('./fix.js')).fixCommand },
  review: { summary: 'answer one AdmissionReview from a file or stdin, exactly as /validate or /mutate would', load: async () => (await import('./review.js')).reviewCommand },
  rules: { summary: 'list the rules and checks with their default modes', load: async () => (await import('./rules.js')).rulesCommand },
  certs: { summary: 'write a CA and serving certificate, and the kustomize inputs for self-managed TLS', load: async () => (await import('./certs.js')).certsCommand },
  audit: { summary: 'scan a live cluster: what would enforcing break?', load: async () => (await import('./audit.js')).auditCommand },
  baseline: { summary: 'show (or, with --apply, create) the network baseline NetworkPolicies in a cluster', load: async () => (await import('./baseline.js')).baselineCommand },
  webhooks: { summary: 'print the webhook configurations serve --register-webhooks registers, for GitOps', load: async () => (await import('./webhooks.js')).webhooksCommand },
};

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
    io.stdout.write(`${(await import('./version.js')).VERSION}\n`);
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
