// Which CA bundle a replica registers as the webhooks' caBundle. Every replica reads the CA from its
// mounted Secret (ca.crt beside tls.crt), and replicas see a new Secret at different moments (the
// kubelet syncs each pod's volume on its own schedule): a replica still on the old files must not take
// the bundle back from one already on the new ones, nor the other way round, or calls to one of them
// would fail while they disagree. So:
//
// 1. Nothing registered yet, or nothing usable: register this replica's CA bundle.
// 2. This replica's bundle holds a CA newer than every CA registered: a rotation. Register its bundle
//    as the file says (`policygate certs --force` keeps the previous CA in it; an operator who drops a
//    compromised CA gets it dropped).
// 3. The registered bundle trusts this replica's serving certificate: keep it, byte for byte.
// 4. It does not (this replica is behind, or the operator went back to an older certificate): add this
//    replica's CAs to the registered ones that have not expired, so that both are trusted until the
//    replicas agree again.
//
// A replica never registers a bundle that does not trust its own serving certificate: the server
// checks that its own bundle does before it registers anything.
import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export type BundleChoice = 'none registered' | 'rotation' | 'kept' | 'merged';

function certificates(pem: string | undefined): X509Certificate[] {
  const found: X509Certificate[] = [];
  for (const block of pem?.match(PEM_CERTIFICATE) ?? []) {
    try {
      found.push(new X509Certificate(block));
    } catch {
      // Not a certificate: it counts for nothing.
    }
  }
  return found;
}

function newest(certs: readonly X509Certificate[]): number {
  return Math.max(...certs.map((cert) => Date.parse(cert.validFrom)));
}

function pemOf(certs: readonly X509Certificate[]): string {
  return certs.map((cert) => cert.toString().trim()).join('\n') + '\n';
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

function current(cert: X509Certificate, now: Date): boolean {
  return Date.parse(cert.validFrom) <= now.getTime() && now.getTime() <= Date.parse(cert.validTo);
}

/**
 * Whether a bundle of CAs trusts a serving chain (leaf first, then any intermediates, as tls.crt holds
 * it), as the API server's TLS client would: some current CA of the bundle issued the leaf, or issued
 * an intermediate that leads to the leaf.
 */
export function bundleTrusts(bundlePem: string | undefined, chainPem: string, now = new Date()): boolean {
  const cas = certificates(bundlePem).filter((ca) => current(ca, now));
  const [leaf, ...intermediates] = certificates(chainPem);
  if (!leaf || !current(leaf, now)) return false;
  let subject: X509Certificate | undefined = leaf;
  const unused = [...intermediates];
  while (subject) {
    const link: X509Certificate = subject;
    if (cas.some((ca) => issued(ca, link))) return true;
    const index = unused.findIndex((intermediate) => current(intermediate, now) && issued(intermediate, link));
    subject = index === -1 ? undefined : unused.splice(index, 1)[0];
  }
  return false;
}

/** The bundle to register, given what is registered, this replica's CA bundle and its serving chain. */
export function caBundleToRegister(registered: string | undefined, mine: string, servingChain: string, now = new Date()): { bundle: string; choice: BundleChoice } {
  const registeredCas = certificates(registered);
  const mineCas = certificates(mine);
  if (registeredCas.length === 0) return { bundle: mine, choice: 'none registered' };
  if (mineCas.length > 0 && newest(mineCas) > newest(registeredCas)) return { bundle: mine, choice: 'rotation' };
  if (registered !== undefined && bundleTrusts(registered, servingChain, now)) return { bundle: registered, choice: 'kept' };
  const merged = [...registeredCas.filter((ca) => Date.parse(ca.validTo) > now.getTime())];
  for (const ca of mineCas) if (!merged.some((kept) => kept.fingerprint256 === ca.fingerprint256)) merged.push(ca);
  return { bundle: pemOf(merged), choice: 'merged' };
}
