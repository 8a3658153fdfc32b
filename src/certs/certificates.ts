// A certificate authority and the certificates it signs, made with `selfsigned` (WebCrypto underneath):
// EC P-256 keys (a handshake costs a fraction of RSA-2048's) and SHA-256 signatures. Used by
// `policygate serve --dev`, by `policygate certs`, and by the tests for throwaway certificates.
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { CERTIFICATE_FILES, fileSystemError, notAfterOf, pem, writeFileAtomically } from './files.js';

/** A PEM certificate and its PEM (PKCS#8, unencrypted) private key. */
export interface IssuedCertificate {
  cert: string;
  key: string;
  notAfter: Date;
}

export interface CertificateAuthorityOptions {
  commonName?: string;
  days?: number;
}

export interface IssueOptions {
  commonName?: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  days?: number;
  /** `server` for a serving certificate, `client` for a client certificate (e.g. the API server's). */
  usage?: 'server' | 'client';
}

export const DEFAULT_DAYS = 365;
/** Certificates start a little in the past so that a clock a few minutes behind still accepts them. */
const BACKDATE_MS = 5 * 60 * 1000;
const KEY_OPTIONS = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

function validity(days: number): { notBeforeDate: Date; notAfterDate: Date } {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer (got ${days})`);
  const now = Date.now();
  return { notBeforeDate: new Date(now - BACKDATE_MS), notAfterDate: new Date(now + days * 86_400_000) };
}

/** A self-signed CA that can sign serving and client certificates (and nothing below them). */
export async function createCertificateAuthority(options: CertificateAuthorityOptions = {}): Promise<IssuedCertificate> {
  const pems = await generate([{ name: 'commonName', value: options.commonName ?? 'policygate CA' }], {
    ...KEY_OPTIONS,
    ...validity(options.days ?? DEFAULT_DAYS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pem(pems.cert), key: pem(pems.private), notAfter: notAfterOf(pems.cert) };
}

/** A leaf certificate signed by `ca`, with the given DNS names and IP addresses as SANs. */
export async function issueCertificate(ca: Pick<IssuedCertificate, 'cert' | 'key'>, options: IssueOptions = {}): Promise<IssuedCertificate> {
  const dnsNames = options.dnsNames ?? [];
  const ipAddresses = options.ipAddresses ?? [];
  for (const ip of ipAddresses) if (isIP(ip) === 0) throw new RangeError(`not an IP address: ${JSON.stringify(ip)}`);
  const usage = options.usage ?? 'server';
  const commonName = options.commonName ?? dnsNames[0] ?? ipAddresses[0] ?? 'policygate';
  const altNames = [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ipAddresses.map((ip) => ({ type: 7 as const, ip }))];
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...KEY_OPTIONS,
    ...validity(options.days ?? DEFAULT_DAYS),
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      // ECDSA keys sign (digitalSignature); keyEncipherment is an RSA key-exchange usage.
      { name: 'keyUsage', digitalSignature: true, critical: true },
      usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: pem(pems.cert), key: pem(pems.private), notAfter: notAfterOf(pems.cert) };
}

export interface WriteCertificatesOptions {
  dir: string;
  dnsNames: readonly string[];
  ipAddresses?: readonly string[];
  days?: number;
  /** The CA's common name (default `policygate CA`). */
  caCommonName?: string;
}

export interface WrittenCertificates {
  /** Absolute or cwd-relative paths, as `dir` was given. */
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** The CA certificate in PEM, for a webhook configuration's `caBundle` (base64 of this). */
  caPem: string;
  notAfter: Date;
}

/**
 * A new CA and a serving certificate signed by it, written to `dir` as ca.crt, ca.key, tls.crt and
 * tls.key (keys readable by the owner only). Existing files are replaced. A directory or file that
 * cannot be made (a file in the way, no permission, a read-only or full disk) is an InputError naming it.
 */
export async function writeCertificates(options: WriteCertificatesOptions): Promise<WrittenCertificates> {
  const days = options.days ?? DEFAULT_DAYS;
  // The directory first: a path that cannot be written fails before any key is made.
  await mkdir(options.dir, { recursive: true }).catch((error: unknown) => {
    throw fileSystemError(error, 'create directory', options.dir);
  });
  const ca = await createCertificateAuthority({ days, ...(options.caCommonName ? { commonName: options.caCommonName } : {}) });
  const serving = await issueCertificate(ca, { dnsNames: options.dnsNames, ipAddresses: options.ipAddresses ?? [], days, usage: 'server' });
  const paths = {
    caCert: join(options.dir, CERTIFICATE_FILES.caCert),
    caKey: join(options.dir, CERTIFICATE_FILES.caKey),
    cert: join(options.dir, CERTIFICATE_FILES.cert),
    key: join(options.dir, CERTIFICATE_FILES.key),
  };
  await writeFileAtomically(paths.caKey, ca.key, 0o600);
  await writeFileAtomically(paths.caCert, ca.cert, 0o644);
  // Key before certificate: a server reloading on the certificate's change finds the matching key.
  await writeFileAtomically(paths.key, serving.key, 0o600);
  await writeFileAtomically(paths.cert, serving.cert, 0o644);
  return { ...paths, caPem: ca.cert, notAfter: serving.notAfter };
}
