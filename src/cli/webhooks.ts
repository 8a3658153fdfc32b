// `policygate webhooks`: print the ValidatingWebhookConfiguration and MutatingWebhookConfiguration that
// `serve --register-webhooks` registers, as YAML, for those who keep every object of a cluster in git
// and apply it themselves. Made by the same code the server runs, so the two never differ.
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { EXIT, InputError } from '../errors.js';
import { webhookConfigurations } from '../webhooks/configurations.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { parseCommandArgs } from './parse-args.js';
import { VERSION } from './version.js';
import { excludedNamespacesFlag, failurePolicyFlag, readCaBundle, serviceFlag, WEBHOOK_FLAGS, WEBHOOK_FLAGS_USAGE } from './webhook-flags.js';

const USAGE = `Usage: policygate webhooks [options]

Print policygate's ValidatingWebhookConfiguration and MutatingWebhookConfiguration as YAML: exactly
what \`policygate serve --register-webhooks\` registers once it is ready. For GitOps: apply them only
after policygate's Deployment is available, and leave --register-webhooks out of its args.

  npx policygate webhooks --ca-bundle deploy/overlays/self-managed/certs/ca.crt > webhooks.yaml

Options:
  --service REF        the Service the API server calls, NAMESPACE/NAME[:PORT] (default policygate/policygate:443)
  --ca-bundle FILE     the CA (PEM) the API server trusts for it; without it caBundle is left out
                       and must be filled in (cert-manager's CA injector can)
${WEBHOOK_FLAGS_USAGE}
  -h, --help           show this help
`;

const OPTIONS = {
  service: { type: 'string' },
  'ca-bundle': { type: 'string', path: 'file' },
  ...WEBHOOK_FLAGS,
} satisfies OptionSpecs;

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, false);
  if (positionals.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  const service = serviceFlag('service', values.service ?? 'policygate/policygate', undefined);
  const caBundle = values['ca-bundle'] === undefined ? undefined : await readCaBundle('--ca-bundle', resolve(io.cwd, values['ca-bundle']));
  const configurations = webhookConfigurations({ service, caBundle, failurePolicy: failurePolicyFlag(values), excludedNamespaces: excludedNamespacesFlag(values) });
  const header = `# policygate ${VERSION}: the webhook configurations \`policygate serve --register-webhooks\` registers.\n# Made by \`policygate webhooks\`; apply only once policygate's Deployment is available.\n`;
  io.stdout.write(header + configurations.map((configuration) => `---\n${stringify(configuration, { lineWidth: 0 })}`).join(''));
  return EXIT.ok;
}

export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: 'print the webhook configurations serve --register-webhooks registers, for GitOps',
  usage: USAGE,
  options: OPTIONS,
  run,
};
