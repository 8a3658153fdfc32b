// Every command of the `policygate` binary, by name, with the one-line summary its usage shows.
// Commands are loaded on demand: `check` in CI should not pay for loading fastify.
import type { Command } from './command.js';

export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  serve: { summary: 'run the validating and mutating admission webhook over TLS', load: async () => (await import('./serve.js')).serveCommand },
  check: {
    summary: 'check manifests (files, directories, stdin) offline, as the webhook would',
    load: async () => {
      // Before the command's modules load: see bounded-heap.ts.
      (await import('./bounded-heap.js')).boundHeap();
      return (await import('./check.js')).checkCommand;
    },
  },
  fix: { summary: 'rewrite manifests so that they pass, keeping comments and layout (--diff to preview)', load: async () => (await import('./fix.js')).fixCommand },
  review: { summary: 'answer one AdmissionReview from a file or stdin, exactly as /validate or /mutate would', load: async () => (await import('./review.js')).reviewCommand },
  rules: { summary: 'list the rules and checks with their default modes', load: async () => (await import('./rules.js')).rulesCommand },
  certs: { summary: 'write a CA and serving certificate, and the kustomize inputs for self-managed TLS', load: async () => (await import('./certs.js')).certsCommand },
  audit: {
    summary: 'scan a live cluster: what would enforcing break?',
    load: async () => {
      // Before the command's modules load: see bounded-heap.ts.
      (await import('./bounded-heap.js')).boundHeap();
      return (await import('./audit.js')).auditCommand;
    },
  },
  baseline: { summary: 'show (or, with --apply, create) the network baseline NetworkPolicies in a cluster', load: async () => (await import('./baseline.js')).baselineCommand },
  webhooks: { summary: 'print the webhook configurations serve --register-webhooks registers, for GitOps', load: async () => (await import('./webhooks.js')).webhooksCommand },
  completion: { summary: 'print a shell completion script for bash, zsh or fish', load: async () => (await import('./completion.js')).completionCommand },
  version: { summary: 'print the version of policygate and of the Node.js it runs on', load: async () => (await import('./version.js')).versionCommand },
};

/** Every command, loaded (completion needs all their options). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMANDS).map((entry) => entry.load()));
}
