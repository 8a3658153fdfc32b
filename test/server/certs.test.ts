// The certificate module: a CA and a serving certificate that Node's TLS (and so the API server) accepts.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, serviceDnsNames, writeCertificates } from '../../src/certs/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('writeCertificates', () => {
  it('writes a CA and an EC P-256, SHA-256 serving certificate signed by it, with the given SANs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policygate-certs-'));
    dirs.push(dir);
    const written = await writeCertificates({ dir: join(dir, 'nested'), dnsNames: ['localhost', 'policygate.policygate.svc'], ipAddresses: ['127.0.0.1', '::1'], days: 30 });
    const cert = new X509Certificate(await readFile(written.cert));
    const ca = new X509Certificate(await readFile(written.caCert));
    expect(written.caPem).toBe(ca.toString());
    expect(written.caPem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toBe('DNS:localhost, DNS:policygate.policygate.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    // Extended key usage: server authentication (1.3.6.1.5.5.7.3.1) and nothing else, so an absent
    // extension (any use allowed) fails too. Node names it keyUsage.
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    // SHA-256 over ECDSA, for the serving certificate and the CA that signed it (Node 24's X509Certificate).
    expect(cert.signatureAlgorithmOid).toBe('1.2.840.10045.4.3.2');
    expect(cert.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(ca.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    const days = (written.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect((await stat(written.key)).mode & 0o777).toBe(0o600);
    expect((await stat(written.caKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(written.key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('issueCertificate', () => {
  it('issues a client certificate for client authentication only', async () => {
    const ca = await createCertificateAuthority({ days: 1 });
    const client = await issueCertificate(ca, { commonName: 'kube-apiserver', usage: 'client', days: 1 });
    const cert = new X509Certificate(client.cert);
    expect(cert.subject).toContain('CN=kube-apiserver');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true);
  });

  it('refuses what is not an IP address', async () => {
    const ca = await createCertificateAuthority({ days: 1 });
    await expect(issueCertificate(ca, { ipAddresses: ['localhost'] })).rejects.toThrow(/not an IP address/);
  });
});

describe('serviceDnsNames', () => {
  it('lists every name the API server may use for a Service', () => {
    expect(serviceDnsNames('policygate', 'policygate')).toEqual([
      'policygate',
      'policygate.policygate',
      'policygate.policygate.svc',
      'policygate.policygate.svc.cluster.local',
    ]);
  });
});
