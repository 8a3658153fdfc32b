// A certificate directory without the X.509 generator: the file names, the names a Service is reached
// by, a certificate's validity, and writing a file whole. `policygate serve` imports this module to find
// and check its development certificate; certificates.ts (which loads `selfsigned`) only when it must
// make one.
import { X509Certificate } from 'node:crypto';
import { access, rename, writeFile } from 'node:fs/promises';

/** The file names written into the directory; the serving pair uses the names of a `kubernetes.io/tls` Secret. */
export const CERTIFICATE_FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key' } as const;

/** The names the API server may use for a Service: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

/** When a PEM certificate expires. Throws when it does not parse. */
export function notAfterOf(cert: string | Buffer): Date {
  return new Date(new X509Certificate(cert).validTo);
}

/** True when `cert` parses and is still valid `marginMs` from now. */
export function validFor(cert: string | Buffer, marginMs: number): boolean {
  try {
    return notAfterOf(cert).getTime() > Date.now() + marginMs;
  } catch {
    return false;
  }
}

/** PEM as files and bundles expect it: ending in a newline, so that two can be concatenated. */
export function pem(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file whole or not at all: a reader (or the reloading server) never sees half of it. */
export async function writeFileAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode });
  await rename(temporary, path);
}
