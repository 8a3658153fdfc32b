// The flags that shape policygate's webhook configurations, shared by `serve --register-webhooks` (which
// registers them) and `policygate webhooks` (which prints them): which Service the API server calls,
// the CA it trusts for it, what the validating webhook does when policygate does not answer, and which
// namespaces are never sent.
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { InputError } from '../errors.js';
import { FAILURE_POLICIES, type FailurePolicy, type ServiceReference } from '../webhooks/configurations.js';
import { dnsLabel, namespaceName, oneOf, wholeNumber } from './parse-args.js';

export const WEBHOOK_FLAGS = {
  'failure-policy': { type: 'string', choices: FAILURE_POLICIES },
  'exclude-namespace': { type: 'string', multiple: true },
} as const;

export const WEBHOOK_FLAGS_USAGE = `  --failure-policy P   what the validating webhook does when policygate does not answer in time:
                       Fail (default: the request is refused) or Ignore (let through unjudged)
  --exclude-namespace NAME
                       never send requests in this namespace, nor about it (repeat for several);
                       kube-system, kube-node-lease and the Service's own namespace never are`;

export interface WebhookFlagValues {
  'failure-policy'?: string | undefined;
  'exclude-namespace'?: string[] | undefined;
}

export function failurePolicyFlag(values: WebhookFlagValues): FailurePolicy {
  return oneOf('failure-policy', values['failure-policy'], FAILURE_POLICIES, 'Fail');
}

export function excludedNamespacesFlag(values: WebhookFlagValues): string[] {
  return (values['exclude-namespace'] ?? []).map((name) => namespaceName('exclude-namespace', name));
}

/**
 * `NAME`, `NAMESPACE/NAME` or either with `:PORT`. Without a namespace, `defaultNamespace` (the pod's
 * own, in a cluster); undefined there is an error that says to give one.
 */
export function serviceFlag(flag: string, value: string, defaultNamespace: string | undefined): ServiceReference {
  const match = /^(?:([^/:]+)\/)?([^/:]+)(?::([^/:]+))?$/.exec(value);
  if (!match) throw new InputError(`--${flag} must be a Service as NAME, NAMESPACE/NAME or NAMESPACE/NAME:PORT (got ${JSON.stringify(value)})`);
  const namespace = match[1] ?? defaultNamespace;
  if (namespace === undefined) throw new InputError(`--${flag} ${value}: give the Service's namespace too (NAMESPACE/NAME): this process does not run in a pod whose namespace it could use`);
  return {
    namespace: namespaceName(flag, namespace),
    name: dnsLabel(flag, match[2] ?? '', 'a Service name such as "policygate"'),
    port: match[3] === undefined ? 443 : wholeNumber(flag, match[3], { min: 1, max: 65535, what: 'a port number 1-65535' }),
  };
}

/** A PEM bundle of one or more CA certificates, read and checked; the error names the flag and file. */
export async function readCaBundle(flag: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new InputError(`${flag} ${path} holds no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new InputError(`${flag} ${path} is not a PEM certificate bundle: ${(error as Error).message}`);
    }
  }
  return text;
}
