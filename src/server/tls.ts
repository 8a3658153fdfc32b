// The serving certificate: read and checked at startup, then reloaded whenever its files change on disk
// (cert-manager and the kubelet replace Secret files in place). A reload swaps the server's secure
// context: new handshakes get the new certificate, open connections carry on, no request is dropped.
// A half-written or mismatched pair is never installed: the old one keeps serving until the files agree.
import { X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SecureServerOptions } from 'node:http2';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { notAfterOf } from '../certs/files.js';
import { InputError } from '../errors.js';

export interface TlsFiles {
  cert: string;
  key: string;
  /** With it, a client (the API server) must present a certificate signed by this CA. */
  clientCa?: string | undefined;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer | undefined;
  notAfter: Date;
}

/** TLS 1.2 and 1.3 only; Node's default cipher list (forward-secret AEAD suites first). */
const MIN_TLS_VERSION = 'TLSv1.2';

async function readNamed(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function contextOptions(material: Omit<TlsMaterial, 'notAfter'>): SecureContextOptions {
  return { cert: material.cert, key: material.key, ...(material.clientCa ? { ca: material.clientCa } : {}), minVersion: MIN_TLS_VERSION };
}

/**
 * Reads the certificate, key and client CA, and checks that they make a usable TLS context (the key
 * matches the certificate, the PEM parses). Throws InputError naming the flag at fault.
 */
export async function readTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key, clientCa] = await Promise.all([
    readNamed('--tls-cert', files.cert),
    readNamed('--tls-key', files.key),
    files.clientCa === undefined ? undefined : readNamed('--client-ca', files.clientCa),
  ]);
  let notAfter: Date;
  try {
    notAfter = notAfterOf(cert);
  } catch (error) {
    throw new InputError(`--tls-cert ${files.cert} is not a PEM certificate: ${(error as Error).message}`);
  }
  if (clientCa) {
    try {
      new X509Certificate(clientCa);
    } catch (error) {
      throw new InputError(`--client-ca ${files.clientCa} is not a PEM certificate: ${(error as Error).message}`);
    }
  }
  try {
    createSecureContext(contextOptions({ cert, key, clientCa }));
  } catch (error) {
    throw new InputError(`--tls-cert ${files.cert} and --tls-key ${files.key} cannot be used together: ${(error as Error).message}`);
  }
  return { cert, key, clientCa, notAfter };
}

/**
 * Options for http2.createSecureServer: HTTP/2 with HTTP/1.1 fallback by ALPN, TLS 1.2+, optional client
 * auth. With a client CA every client is asked for a certificate, and one without is still let in: the
 * admission routes refuse it (./client-certificates.ts), the probes and /metrics do not.
 */
export function secureServerOptions(material: TlsMaterial): SecureServerOptions {
  return {
    ...contextOptions(material),
    allowHTTP1: true,
    ...(material.clientCa ? { requestCert: true, rejectUnauthorized: false } : {}),
    // A client that opens a connection and never finishes the handshake is dropped.
    handshakeTimeout: 10_000,
  };
}

export interface TlsReloaderOptions {
  /** How often to re-read the files even when no change event arrived (symlink swaps can be missed). */
  intervalMs?: number;
  logger: Logger;
  onReload?: (material: TlsMaterial) => void;
  onFailure?: (error: Error) => void;
}

/** Watches the files (their directories, as Secret volumes swap a symlink) and polls as a fallback. */
export class TlsReloader {
  private current: TlsMaterial;
  private readonly watchers: FSWatcher[] = [];
  private interval: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private closed = false;
  /** The message of the last failed reload, so that a pair that stays broken is logged once. */
  private lastFailure: string | undefined;

  constructor(
    private readonly server: TlsServer,
    private readonly files: TlsFiles,
    initial: TlsMaterial,
    private readonly options: TlsReloaderOptions,
  ) {
    this.current = initial;
  }

  start(): this {
    const directories = new Set([this.files.cert, this.files.key, ...(this.files.clientCa ? [this.files.clientCa] : [])].map((file) => dirname(file)));
    for (const directory of directories) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.soon());
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // No inotify (or too many watches): the poll below still picks changes up.
      }
    }
    this.interval = setInterval(() => void this.check(), this.options.intervalMs ?? 10_000).unref();
    return this;
  }

  /** A burst of change events (a Secret update touches several files) becomes one check. */
  private soon(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), 100).unref();
  }

  /** Re-reads the files and installs them if they changed and make a valid pair. Never throws. */
  check(): Promise<void> {
    this.checking ??= this.reload().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async reload(): Promise<void> {
    if (this.closed) return;
    let material: TlsMaterial;
    try {
      const [cert, key, clientCa] = await Promise.all([
        readFile(this.files.cert),
        readFile(this.files.key),
        this.files.clientCa === undefined ? undefined : readFile(this.files.clientCa),
      ]);
      if (cert.equals(this.current.cert) && key.equals(this.current.key) && (clientCa === undefined || (this.current.clientCa?.equals(clientCa) ?? false))) {
        return;
      }
      material = await readTlsMaterial(this.files);
      this.server.setSecureContext(contextOptions(material));
    } catch (error) {
      // Typically a rotation caught halfway (new certificate, old key): the next event or poll retries.
      const message = (error as Error).message;
      if (message !== this.lastFailure) {
        this.options.logger.warn({ reason: message }, 'TLS files changed but cannot be used yet; still serving the previous certificate');
        this.lastFailure = message;
        this.options.onFailure?.(error as Error);
      }
      return;
    }
    this.current = material;
    this.lastFailure = undefined;
    this.options.logger.info({ notAfter: material.notAfter.toISOString() }, 'reloaded the serving certificate');
    this.options.onReload?.(material);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.interval);
    clearTimeout(this.debounce);
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }
}
