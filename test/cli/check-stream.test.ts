// `check` judges objects as it reads them. Namespaces apply wherever they are, in files and on standard
// input alike (a first pass collects them; standard input and pipes are held as text for it).
import { describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../../src/cli/version.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { checkManifests } from '../../src/manifests/index.js';
import { FORMATTERS } from '../../src/report/index.js';
import { findReportRoot } from '../../src/report/paths.js';
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

  it('apply to the objects before them too: the whole input is read before anything is judged', async () => {
    const { code, stdout, stderr } = await runCli(['check', '-o', 'json', '-'], { stdin: [pod('a', 'shop'), pod('b', 'shop'), restricted('shop')].join('---\n') });
    const failures = ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'];
    expect(enforced(stdout).sort()).toEqual([...failures.map((check) => `a ${check}`), ...failures.map((check) => `b ${check}`)]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
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

describe('check streams the report it would write whole', () => {
  // Findings in several modes, a typed List, an input error between objects, and the Namespace that
  // decides the verdicts in the last file: what the streaming path could get wrong.
  const apps = [
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: x}]\n`,
    `apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: shop}\nspec:\n  containers: [{name: c, image: x, securityContext: {privileged: true}}]\n`,
    `kind: Pod\nmetadata: {name: half}\n`,
    `apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: one}\n    spec: {containers: [{name: c, image: x}]}\n  - metadata: {name: two}\n    spec: {hostNetwork: true, containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata: {}\n`,
    pod('last', 'shop'),
    // A List longer than the checker's batch, with an item that is not an object between two batches.
    `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 250 }, (_, i) => (i === 150 ? '  - 42\n' : `  - {apiVersion: v1, kind: Pod, metadata: {name: p${i}, namespace: shop}, spec: {containers: [{name: c, image: x}]}}\n`)).join('')}`,
  ].join('---\n');

  it.each(['text', 'json', 'sarif', 'junit', 'github'] as const)('-o %s: the same bytes as the report rendered from the whole input at once', async (format) => {
    const cwd = mkdtempSync(join(tmpdir(), 'policygate-check-stream-'));
    writeFileSync(join(cwd, 'apps.yaml'), apps);
    writeFileSync(join(cwd, 'namespaces.yaml'), restricted('shop'));
    const streamed = await runCli(['check', '-o', format, 'apps.yaml', 'namespaces.yaml'], { cwd });
    const sources = ['apps.yaml', 'namespaces.yaml'].map((name) => ({ name, text: readFileSync(join(cwd, name), 'utf8') }));
    const whole = await checkManifests(sources, [], { config: DEFAULT_CONFIG, namespace: 'default' });
    const expected = FORMATTERS[format](whole, { failOn: 'enforce', color: false, cwd, root: findReportRoot(cwd), version: VERSION, config: DEFAULT_CONFIG });
    expect(streamed.stdout).toBe(expected);
    expect(streamed.stderr).toBe('');
    expect(streamed.code).toBe(2);
    // The Namespace of the last file decided the verdicts of the first: restricted is enforced in shop.
    expect(whole.results.filter((result) => result.name === 'web' && result.mode === 'enforce').map((result) => result.check)).toContain('runAsNonRoot');
    expect(whole.errors.map((error) => `${error.file}:${error.line}`)).toEqual(['apps.yaml:17', 'apps.yaml:31', 'apps.yaml:192']);
  });
});
