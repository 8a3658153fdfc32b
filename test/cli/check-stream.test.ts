// `check` judges objects as it reads them. Namespaces in files apply wherever they are (a first pass
// collects them); on standard input, read once, a Namespace applies to what follows it, and one that
// comes after objects it would have judged differently is an input error, never a silent wrong verdict.
import { describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { FIXTURES, ROOT, runCli } from './run-cli.js';

const NODE = resolve(ROOT, 'node_modules/.bin/node');
const BIN = resolve(ROOT, 'bin/policygate.js');

/** A shell command line, run by bash (without its start-up files), its standard input closed. */
function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-c', script], { cwd: FIXTURES, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (piece: Buffer) => (stdout += piece.toString()));
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const restricted = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: {team: x, pod-security.kubernetes.io/enforce: restricted}\n`;
const plain = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: {team: x}\n`;
/** Meets baseline, not restricted: enforced only where restricted is. */
const pod = (name: string, namespace: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  containers: [{name: c, image: x}]\n`;

const enforced = (stdout: string) => (JSON.parse(stdout) as JsonReport).results.filter((result) => result.mode === 'enforce').map((result) => `${result.name} ${result.check}`);

describe('check -: Namespaces on standard input', () => {
  it('apply to the objects after them', async () => {
    const { code, stdout } = await runCli(['check', '-o', 'json', '-'], { stdin: [restricted('shop'), pod('a', 'shop'), pod('b', 'shop')].join('---\n') });
    const failures = ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'];
    expect(enforced(stdout).sort()).toEqual([...failures.map((check) => `a ${check}`), ...failures.map((check) => `b ${check}`)]);
    expect(code).toBe(1);
  });

  it('is an input error when it comes after objects in it and its labels would change their verdicts', async () => {
    const { code, stdout, stderr } = await runCli(['check', '-'], { stdin: [pod('a', 'shop'), pod('b', 'shop'), restricted('shop')].join('---\n') });
    expect(stdout).toContain(
      '<stdin>:13:1  error    Namespace "shop" comes after 2 objects in it (the first at <stdin>:1), which were judged without its labels: standard input is read once, so put Namespaces first (helm template and kubectl kustomize do), or pass the files\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('is fine after its objects when its labels change nothing', async () => {
    const { code, stdout } = await runCli(['check', '-'], { stdin: [pod('a', 'shop'), plain('shop')].join('---\n') });
    expect(stdout).toMatch(/0 input errors\.\nPassed: nothing at or above --fail-on enforce\.\n$/);
    expect(code).toBe(0);
  });
});

describe('check PIPE: a file that is not a regular file', () => {
  it('is read once, as standard input is, so `check <(helm template …)` sees its objects', async () => {
    // bash's process substitution, as a user types it: the CLI is given /dev/fd/N, a pipe.
    const stream = [restricted('shop'), pod('a', 'shop')].join('---\n');
    const { code, stdout, stderr } = await bash(`"${NODE}" "${BIN}" check -o json <(printf '%s' "$MANIFESTS")`, { MANIFESTS: stream });
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ files: 1, resources: 2 });
    expect(enforced(stdout)).toContain('a runAsNonRoot');
    expect(code).toBe(1);
  });
});
