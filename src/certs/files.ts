// A certificate directory without the X.509 generator: the file names, the names a Service is reached
// by, a certificate's validity, and writing a file whole. `policygate serve` imports this module to find
// and check its development certificate; certificates.ts (which loads `selfsigned`) only when it must
// make one.
import { X509Certificate } from 'node:crypto';
import { access, rename, rm, writeFile } from 'node:fs/promises';
import { InputError } from '../errors.js';

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

/** What a user can do something about when a certificate file cannot be written: a path, a permission, a full disk. */
const FILE_SYSTEM_CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'it exists and is not a directory',
  ENOTDIR: 'part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * `error` as an InputError naming `path` and the cause, when it is one of the file-system errors in
 * FILE_SYSTEM_CAUSES (`cannot create directory /x/certs: permission denied (EACCES)`); else `error`
 * itself, which stays a bug.
 */
export function fileSystemError(error: unknown, action: string, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const cause = code === undefined ? undefined : FILE_SYSTEM_CAUSES[code];
  return cause === undefined ? error : new InputError(`cannot ${action} ${path}: ${cause} (${code})`);
}

/**
 * Writes a file whole or not at all: a reader (or the reloading server) never sees half of it. A
 * file-system error a user can fix (see fileSystemError) is an InputError naming `path`.
 */
export async function writeFileAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, contents, { mode });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw fileSystemError(error, 'write', path);
  }
}
