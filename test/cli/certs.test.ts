// `policygate certs` and `serve --dev` as a user runs them: a directory that cannot be written is the
// user's to fix, so it is one line on stderr naming the path and the cause, exit 2, never "internal error".
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { scratchDirectories } from '../helpers/scratch.js';

const scratch = scratchDirectories('policygate-cli-certs');

describe('policygate certs: where the files cannot be written', () => {
  it('exits 2 naming the directory when --out is a file', async () => {
    const cwd = await scratch();
    await writeFile(join(cwd, 'afile'), 'not a directory\n');
    const result = await runCli(['certs', '--out', 'afile'], { cwd });
    expect(result.stderr).toBe(`policygate certs: cannot create directory ${join(cwd, 'afile')}: it exists and is not a directory (EEXIST)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('exits 2 naming the directory when a parent of --out is a file', async () => {
    const cwd = await scratch();
    await writeFile(join(cwd, 'afile'), 'not a directory\n');
    const result = await runCli(['certs', '--out', 'afile/certs'], { cwd });
    expect(result.stderr).toBe(`policygate certs: cannot create directory ${join(cwd, 'afile', 'certs')}: part of the path is a file, not a directory (ENOTDIR)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('exits 2 naming the file when a certificate file is a directory (--force)', async () => {
    const cwd = await scratch();
    await mkdir(join(cwd, 'out', 'tls.crt'), { recursive: true });
    const result = await runCli(['certs', '--out', 'out', '--force'], { cwd });
    expect(result.stderr).toBe(`policygate certs: cannot write ${join(cwd, 'out', 'tls.crt')}: it is a directory (EISDIR)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    // No temporary file is left behind.
    expect((await readdir(join(cwd, 'out'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  // Root may write anywhere, so permissions cannot refuse it: on CI machines that run as root this case
  // is skipped; the EEXIST, ENOTDIR and EISDIR cases above take the same path through fileSystemError.
  it.skipIf(process.getuid?.() === 0)('exits 2 naming the directory when it may not be written', async () => {
    const cwd = await scratch();
    await mkdir(join(cwd, 'locked'), { mode: 0o555 });
    const result = await runCli(['certs', '--out', 'locked/certs'], { cwd });
    expect(result.stderr).toBe(`policygate certs: cannot create directory ${join(cwd, 'locked', 'certs')}: permission denied (EACCES)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });
});

describe('policygate serve --dev: where the development certificate cannot be written', () => {
  it('exits 2 naming ./certs when it is a file, before listening', async () => {
    const cwd = await scratch();
    await writeFile(join(cwd, 'certs'), 'not a directory\n');
    const result = await runCli(['serve', '--dev', '--no-cluster', '--port', '0'], { cwd });
    expect(result.stderr).toBe(`policygate serve: cannot create directory ${join(cwd, 'certs')}: it exists and is not a directory (EEXIST)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });
});

describe('policygate certs: what it says it wrote, and what to do next', () => {
  const firstLineAndNext = (stdout: string) => {
    const lines = stdout.split('\n');
    return [lines[0], ...lines.slice(lines.indexOf('') + 1)];
  };

  it('names --out as given, and says to apply the overlay only when it wrote into one', async () => {
    const cwd = await scratch();
    const elsewhere = join(cwd, 'secrets', 'policygate');
    const result = await runCli(['certs', '--out', `${elsewhere}/`], { cwd });
    expect(firstLineAndNext(result.stdout)).toEqual([
      `Wrote ${elsewhere}/: ca.crt, ca.key, tls.crt, tls.key`,
      "Next: these files are not in an overlay's certs/ directory; copy them into deploy/overlays/self-managed/certs/ of a policygate",
      '  checkout (or of your copy of that overlay), then apply the overlay with kubectl apply -k.',
      `Keep ${elsewhere}/ca.key safe and out of version control; it is never applied to the cluster.`,
      '',
    ]);
    expect(result.stdout).not.toContain('kubectl apply -k deploy/overlays/self-managed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('says to apply the self-managed overlay when it wrote there, by default', async () => {
    const cwd = await scratch();
    await mkdir(join(cwd, 'deploy', 'overlays', 'self-managed'), { recursive: true });
    await writeFile(join(cwd, 'deploy', 'overlays', 'self-managed', 'kustomization.yaml'), 'resources: []\n');
    const result = await runCli(['certs'], { cwd });
    expect(firstLineAndNext(result.stdout)).toEqual([
      'Wrote deploy/overlays/self-managed/certs/: ca.crt, ca.key, tls.crt, tls.key',
      'Next:',
      '  kubectl apply -k deploy/overlays/self-managed',
      'Keep deploy/overlays/self-managed/certs/ca.key safe and out of version control; it is never applied to the cluster.',
      '',
    ]);
    expect(result.code).toBe(0);
  });

  it('names a copy of the overlay by the path given', async () => {
    const cwd = await scratch();
    await mkdir(join(cwd, 'my-cluster'), { recursive: true });
    await writeFile(join(cwd, 'my-cluster', 'kustomization.yaml'), 'resources: []\n');
    const result = await runCli(['certs', '--out', './my-cluster/certs'], { cwd });
    expect(firstLineAndNext(result.stdout).slice(0, 3)).toEqual(['Wrote ./my-cluster/certs/: ca.crt, ca.key, tls.crt, tls.key', 'Next:', '  kubectl apply -k ./my-cluster']);
    expect(result.code).toBe(0);
  });
});
