// Which caBundle a replica registers, through a CA rotation seen by replicas at different moments: the
// newest CA wins, a replica that is trusted keeps what is there, one that is not adds itself.
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../certs/index.js';
import { bundleTrusts, caBundleToRegister } from './ca-bundle.js';

interface Pki {
  ca: IssuedCertificate;
  serving: IssuedCertificate;
}

/** A CA and a serving certificate made as if at `at` (validity starts then, give or take the backdating). */
async function pkiAt(at: string, name: string, days = 365): Promise<Pki> {
  vi.setSystemTime(new Date(at));
  const ca = await createCertificateAuthority({ commonName: name, days });
  const serving = await issueCertificate(ca, { dnsNames: ['policygate.policygate.svc'], days });
  return { ca, serving };
}

const NOW = new Date('2025-06-01T00:00:00Z');
let old: Pki;
let rotated: Pki;
let stranger: Pki;
let shortLived: Pki;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  old = await pkiAt('2025-01-01T00:00:00Z', 'old CA');
  rotated = await pkiAt('2025-05-01T00:00:00Z', 'new CA');
  stranger = await pkiAt('2025-03-01T00:00:00Z', 'stranger CA');
  shortLived = await pkiAt('2024-12-01T00:00:00Z', 'expired CA', 30);
  vi.useRealTimers();
}, 60_000);

afterAll(() => {
  vi.useRealTimers();
});

describe('bundleTrusts', () => {
  it('trusts a serving certificate its CA issued, and not one another CA issued', () => {
    expect(bundleTrusts(old.ca.cert, old.serving.cert, NOW)).toBe(true);
    expect(bundleTrusts(old.ca.cert + rotated.ca.cert, rotated.serving.cert, NOW)).toBe(true);
    expect(bundleTrusts(old.ca.cert, stranger.serving.cert, NOW)).toBe(false);
    expect(bundleTrusts(undefined, old.serving.cert, NOW)).toBe(false);
    expect(bundleTrusts('not a certificate', old.serving.cert, NOW)).toBe(false);
  });

  it('follows a chain through an intermediate tls.crt carries', async () => {
    const root = await createCertificateAuthority({ commonName: 'root', days: 1 });
    // An intermediate CA signed by the root (the certs module makes only roots and leaves).
    const made = await generate([{ name: 'commonName', value: 'intermediate' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      ca: { cert: root.cert, key: root.key },
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
      ],
    });
    const intermediate = { cert: made.cert, key: made.private };
    const leaf = await issueCertificate(intermediate, { dnsNames: ['policygate.policygate.svc'], days: 1 });
    expect(bundleTrusts(root.cert, leaf.cert + intermediate.cert)).toBe(true);
    expect(bundleTrusts(root.cert, leaf.cert)).toBe(false);
    expect(bundleTrusts(old.ca.cert, leaf.cert + intermediate.cert)).toBe(false);
  });

  it('does not trust what has expired', () => {
    expect(bundleTrusts(shortLived.ca.cert, shortLived.serving.cert, NOW)).toBe(false);
  });
});

describe('caBundleToRegister', () => {
  it('registers its own bundle when nothing (usable) is registered', () => {
    expect(caBundleToRegister(undefined, old.ca.cert, old.serving.cert, NOW)).toEqual({ bundle: old.ca.cert, choice: 'none registered' });
    expect(caBundleToRegister('garbage', old.ca.cert, old.serving.cert, NOW)).toEqual({ bundle: old.ca.cert, choice: 'none registered' });
  });

  it('keeps what is registered, byte for byte, when it trusts this replica', () => {
    const registered = `${rotated.ca.cert}${old.ca.cert}`;
    expect(caBundleToRegister(registered, old.ca.cert, old.serving.cert, NOW)).toEqual({ bundle: registered, choice: 'kept' });
  });

  it('a self-managed rotation (`certs --force`: the new CA with the old): the first replica on the new files registers them, the others keep them', () => {
    const newFiles = `${rotated.ca.cert}${old.ca.cert}`;
    const first = caBundleToRegister(old.ca.cert, newFiles, rotated.serving.cert, NOW);
    expect(first).toEqual({ bundle: newFiles, choice: 'rotation' });
    // A replica still on the old files is trusted by the new bundle: it leaves it alone.
    expect(caBundleToRegister(first.bundle, old.ca.cert, old.serving.cert, NOW)).toEqual({ bundle: newFiles, choice: 'kept' });
  });

  it('a rotation to a CA alone (cert-manager): a replica still on the old CA adds it, and nobody takes it back until the next rotation', () => {
    const first = caBundleToRegister(old.ca.cert, rotated.ca.cert, rotated.serving.cert, NOW);
    expect(first).toEqual({ bundle: rotated.ca.cert, choice: 'rotation' });
    const behind = caBundleToRegister(first.bundle, old.ca.cert, old.serving.cert, NOW);
    expect(behind.choice).toBe('merged');
    expect(bundleTrusts(behind.bundle, old.serving.cert, NOW) && bundleTrusts(behind.bundle, rotated.serving.cert, NOW)).toBe(true);
    // The new replica is trusted by the merged bundle and has nothing newer: it keeps it (no flapping).
    expect(caBundleToRegister(behind.bundle, rotated.ca.cert, rotated.serving.cert, NOW)).toEqual({ bundle: behind.bundle, choice: 'kept' });
  });

  it('an operator who goes back to an older certificate gets it trusted again; a merge drops expired CAs', () => {
    const back = caBundleToRegister(`${rotated.ca.cert}${shortLived.ca.cert}`, old.ca.cert, old.serving.cert, NOW);
    expect(back.choice).toBe('merged');
    expect(back.bundle).toBe(`${rotated.ca.cert.trim()}\n${old.ca.cert.trim()}\n`);
  });

  it('an operator who drops a CA from the bundle (a new CA, alone) gets exactly that registered', () => {
    expect(caBundleToRegister(`${old.ca.cert}${stranger.ca.cert}`, rotated.ca.cert, rotated.serving.cert, NOW)).toEqual({ bundle: rotated.ca.cert, choice: 'rotation' });
  });
});
