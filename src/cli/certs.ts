// `policygate certs`: a CA and a serving certificate for the in-cluster Service, written where the
// self-managed overlay's kustomization reads them (deploy/overlays/self-managed/certs/). kustomize
// turns the files into the Secret (the pods register its ca.crt as the webhooks' caBundle), so nobody
// base64-encodes anything.
//
// Rotation (`--force`): a new CA and serving certificate replace the old ones, and the new ca.crt also
// carries the previous CA. Between `kubectl apply` and the moment every pod has reloaded the new
// Secret, the API server then trusts the old serving certificate and the new one alike.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileExists, fileSystemError, pem, validFor, writeFileAtomically } from '../certs/files.js';
import { CERTIFICATE_FILES, DEFAULT_DAYS, serviceDnsNames, writeCertificates } from '../certs/index.js';
import { EXIT, InputError } from '../errors.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { dnsLabel, namespaceName, parseCommandArgs, wholeNumber } from './parse-args.js';

/** Where the self-managed overlay (deploy/overlays/self-managed/kustomization.yaml) reads its files. */
const SELF_MANAGED_OVERLAY = join('deploy', 'overlays', 'self-managed');
export const DEFAULT_OUT = join(SELF_MANAGED_OVERLAY, 'certs');
/** Longer than any sensible CA, and short of X.509's last expressible date (the year 9999). */
const MAX_DAYS = 36_500;

const USAGE = `Usage: policygate certs [options]

Write a CA and a serving certificate for policygate's Service, for the self-managed deployment:

  npx policygate certs
  kubectl apply -k ${SELF_MANAGED_OVERLAY}

Files written to --out: ca.crt (the webhooks' caBundle), ca.key (keep it; never applied),
tls.crt and tls.key (the Secret policygate-tls). Keys are readable by their owner only.

Options:
  --out DIR             where to write (default ${DEFAULT_OUT}, relative to a policygate checkout)
  --namespace NAME      the namespace policygate runs in (default policygate)
  --service NAME        the Service the webhooks call (default policygate)
  --cluster-domain D    the cluster's DNS domain (default cluster.local)
  --days N              validity of the CA and the certificate in days, 1 to ${MAX_DAYS} (default ${DEFAULT_DAYS})
  --force               replace existing files (rotation): the new ca.crt also carries the
                        previous CA, so that pods not yet reloaded stay trusted; apply again after
  -h, --help            show this help
`;

const OPTIONS = {
  out: { type: 'string', path: 'directory' },
  namespace: { type: 'string' },
  service: { type: 'string' },
  'cluster-domain': { type: 'string' },
  days: { type: 'string' },
  force: { type: 'boolean', default: false },
} satisfies OptionSpecs;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/**
 * The CA that signed the serving certificate now deployed: the first certificate of the current
 * ca.crt, when it is still valid. It is kept in the new bundle for one rotation.
 */
async function previousCa(caCertPath: string): Promise<string | undefined> {
  if (!(await fileExists(caCertPath))) return undefined;
  const text = await readFile(caCertPath, 'utf8').catch((error: unknown) => {
    throw fileSystemError(error, 'read', caCertPath);
  });
  const [first] = text.match(PEM_CERTIFICATE) ?? [];
  return first !== undefined && validFor(first, 0) ? pem(first) : undefined;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  if (positionals.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  const namespace = values.namespace === undefined ? 'policygate' : namespaceName('namespace', values.namespace);
  const service = values.service === undefined ? 'policygate' : dnsLabel('service', values.service, 'a Service name such as "policygate"');
  const clusterDomain = values['cluster-domain'] ?? 'cluster.local';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(clusterDomain)) throw new InputError(`--cluster-domain must be a DNS name such as cluster.local (got ${JSON.stringify(clusterDomain)})`);
  const days = values.days === undefined ? DEFAULT_DAYS : wholeNumber('days', values.days, { min: 1, max: MAX_DAYS });

  if (values.out === undefined && !(await fileExists(resolve(io.cwd, SELF_MANAGED_OVERLAY, 'kustomization.yaml')))) {
    throw new InputError(`no ${SELF_MANAGED_OVERLAY}/kustomization.yaml here: run this in a policygate checkout, or pass --out DIR`);
  }
  // The directory as the user gave it (or the default), for every message: never rewritten relative to
  // the working directory, so that an absolute --out stays absolute and a relative one stays short.
  const given = values.out ?? DEFAULT_OUT;
  const dir = resolve(io.cwd, given);
  const shown = given.replace(/[\\/]+$/, '') || given;

  const existing: string[] = [];
  for (const name of Object.values(CERTIFICATE_FILES)) if (await fileExists(join(dir, name))) existing.push(name);
  if (existing.length > 0 && !values.force) {
    throw new InputError(`${shown} already holds ${existing.join(', ')}; pass --force to replace them (a rotation: apply the overlay again afterwards)`);
  }

  const keptCa = values.force ? await previousCa(join(dir, CERTIFICATE_FILES.caCert)) : undefined;
  const dnsNames = serviceDnsNames(service, namespace, clusterDomain);
  const written = await writeCertificates({ dir, dnsNames, days, caCommonName: `policygate CA (${namespace}/${service})` });
  if (keptCa) await writeFileAtomically(written.caCert, `${written.caPem}${keptCa}`, 0o644);

  // `kubectl apply -k` only for a certs/ directory beside a kustomization (the self-managed overlay, or
  // a copy of it): anywhere else, applying the overlay would not pick up what was just written.
  const inOverlay = basename(dir) === 'certs' && (await fileExists(join(dirname(dir), 'kustomization.yaml')));
  const next = inOverlay
    ? ['Next:', `  kubectl apply -k ${dirname(shown)}`]
    : [`Next: these files are not in an overlay's certs/ directory; copy them into ${DEFAULT_OUT}/ of a policygate`, '  checkout (or of your copy of that overlay), then apply the overlay with kubectl apply -k.'];
  io.stdout.write(
    [
      `Wrote ${shown}/: ca.crt, ca.key, tls.crt, tls.key`,
      `  serving certificate for ${dnsNames.join(', ')}`,
      `  valid until ${written.notAfter.toISOString()}`,
      ...(keptCa ? ['  ca.crt also carries the previous CA, so pods still serving the old certificate stay trusted'] : []),
      '',
      ...next,
      `Keep ${shown}/ca.key safe and out of version control; it is never applied to the cluster.`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

export const certsCommand: Command = {
  name: 'certs',
  summary: 'write a CA and serving certificate, and the kustomize inputs for self-managed TLS',
  usage: USAGE,
  options: OPTIONS,
  run,
};
