// `policygate certs`: the files the self-managed overlay reads, refusing to clobber them by accident,
// and a rotation that keeps the previous CA trusted while pods reload.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceDnsNames } from '../../src/certs/index.js';
import { DEFAULT_OUT, certsCommand } from '../../src/cli/certs.js';
import { InputError } from '../../src/errors.js';
import { REPO, silentIO } from './render.js';
import { scratchDirectories } from '../helpers/scratch.js';

const scratch = scratchDirectories('policygate-certs-command');

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g;
const certificatesIn = async (file: string) => ((await readFile(file, 'utf8')).match(PEM_CERTIFICATE) ?? []).map((pem) => new X509Certificate(pem));
const sans = (names: string[]) => names.map((name) => `DNS:${name}`).join(', ');

describe('policygate certs', () => {
  it('writes the CA and the serving certificate for the Service where the self-managed overlay reads them', async () => {
    const cwd = await scratch();
    await mkdir(join(cwd, 'deploy', 'overlays', 'self-managed'), { recursive: true });
    await writeFile(join(cwd, 'deploy', 'overlays', 'self-managed', 'kustomization.yaml'), '');
    const io = silentIO(cwd);
    expect(await certsCommand.run([], io)).toBe(0);

    const out = join(cwd, DEFAULT_OUT);
    const [ca] = await certificatesIn(join(out, 'ca.crt'));
    const [serving] = await certificatesIn(join(out, 'tls.crt'));
    expect(ca?.ca).toBe(true);
    expect(serving?.verify(ca?.publicKey as X509Certificate['publicKey'])).toBe(true);
    expect(serving?.subjectAltName).toBe(sans(serviceDnsNames('policygate', 'policygate')));
    for (const key of ['tls.key', 'ca.key']) expect((await stat(join(out, key))).mode & 0o077, `${key} is private`).toBe(0);
    expect(io.out()).toContain('kubectl apply -k deploy/overlays/self-managed');
  });

  it('writes where git ignores the files (but keeps the README)', () => {
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: REPO }).status === 0;
    for (const name of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) expect(ignored(join(DEFAULT_OUT, name)), name).toBe(true);
    expect(ignored(join(DEFAULT_OUT, 'README.md'))).toBe(false);
  });

  it('names another namespace and Service when asked', async () => {
    const out = join(await scratch(), 'certs');
    expect(await certsCommand.run(['--out', out, '--namespace', 'admission', '--service', 'gate', '--cluster-domain', 'example.internal'], silentIO(out))).toBe(0);
    const [serving] = await certificatesIn(join(out, 'tls.crt'));
    expect(serving?.subjectAltName).toBe(sans(serviceDnsNames('gate', 'admission', 'example.internal')));
  });

  it('refuses to replace existing certificates without --force, and leaves them as they were', async () => {
    const out = join(await scratch(), 'certs');
    await certsCommand.run(['--out', out], silentIO(out));
    const before = await readFile(join(out, 'tls.crt'), 'utf8');
    await expect(certsCommand.run(['--out', out], silentIO(out))).rejects.toThrow(/already holds .*--force/);
    expect(await readFile(join(out, 'tls.crt'), 'utf8')).toBe(before);
  });

  it('rotates with --force: a new CA and certificate, and the previous CA kept in ca.crt for the switch-over', async () => {
    const out = join(await scratch(), 'certs');
    await certsCommand.run(['--out', out], silentIO(out));
    const [oldCa] = await certificatesIn(join(out, 'ca.crt'));
    const io = silentIO(out);
    expect(await certsCommand.run(['--out', out, '--force'], io)).toBe(0);
    const bundle = await certificatesIn(join(out, 'ca.crt'));
    const [serving] = await certificatesIn(join(out, 'tls.crt'));
    expect(bundle).toHaveLength(2);
    expect(bundle[0]?.fingerprint256).not.toBe(oldCa?.fingerprint256);
    expect(bundle[1]?.fingerprint256).toBe(oldCa?.fingerprint256);
    expect(serving?.verify(bundle[0]?.publicKey as X509Certificate['publicKey'])).toBe(true);
    expect(io.out()).toContain('previous CA');

    // Only one previous CA is carried: a second rotation drops the oldest.
    await certsCommand.run(['--out', out, '--force'], silentIO(out));
    const again = await certificatesIn(join(out, 'ca.crt'));
    expect(again.map((certificate) => certificate.fingerprint256)).not.toContain(oldCa?.fingerprint256);
    expect(again).toHaveLength(2);
  });

  it('says what is wrong with bad input', async () => {
    const cwd = await scratch();
    await expect(certsCommand.run([], silentIO(cwd))).rejects.toThrow(/deploy\/overlays\/self-managed.*--out/);
    for (const [argv, message] of [
      [['--days', '0'], /--days/],
      [['--days', 'soon'], /--days/],
      [['--namespace', 'Not_A_Label'], /--namespace/],
      [['--bogus'], /bogus/],
      [['extra'], /unexpected argument/],
    ] as const) {
      const error = await certsCommand.run(['--out', join(cwd, 'x'), ...argv], silentIO(cwd)).catch((caught: unknown) => caught);
      expect(error, argv.join(' ')).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
