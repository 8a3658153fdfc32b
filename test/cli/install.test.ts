// policygate installed as Node users install tools, and run from a directory that has nothing to do
// with the checkout, with the machine's own `node` first on the PATH (Node 20 on the development
// machines): `npm install -g` of the packed tarball, and `npx --package` of it. The command must run on
// the Node 24 the package brings, and pass standard input, output, exit codes and signals through.
//
// One `npm pack` serves every case. It runs with --ignore-scripts, packing the dist/ that `npm test`
// has just compiled: `prepare` would delete and rebuild dist/ under the other test files' feet.
// Dependencies come from npm's cache where it has them (--prefer-offline), else from the registry.
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentedEngineWarnings, engineWarnings, machineNode, userEnv } from '../helpers/machine-node.js';
import { alive, descendants, killLeftovers } from '../helpers/processes.js';
import { scratchDirectories } from '../helpers/scratch.js';
import { ROOT, runCli } from './run-cli.js';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 600_000;
/** Each case starts Node 20, then Node 24 (and serve a TLS server): slow on a loaded machine. */
const CASE_TIMEOUT_MS = 120_000;

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
`;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnResult(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

describe('policygate installed from the packed tarball, run where `node` is the machine’s', () => {
  const scratch = scratchDirectories('policygate-install');
  const state = {
    tarball: '',
    prefix: '',
    work: '',
    env: {} as NodeJS.ProcessEnv,
    npmCache: '',
    npxBefore: new Set<string>(),
    npxCheck: undefined as Result | undefined,
    installOutput: '',
    machine: { dir: '', version: '' },
    bundledVersion: '',
  };
  const npx = (args: string[]) =>
    spawnResult('npx', ['--yes', '--prefer-offline', '--package', state.tarball, 'policygate', ...args], {
      cwd: state.work,
      env: userEnv([state.machine.dir, '/usr/bin', '/bin'].join(delimiter)),
    });

  beforeAll(async () => {
    const root = await scratch();
    state.machine = await machineNode();
    const systemPath = [state.machine.dir, '/usr/bin', '/bin'].join(delimiter);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { cwd: ROOT, env: userEnv(systemPath) });
    const [manifest] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    if (!manifest) throw new Error(`npm pack printed no manifest: ${packed.stdout}`);
    state.tarball = join(root, manifest.filename);
    state.prefix = join(root, 'prefix');
    state.work = join(root, 'work');
    state.npmCache = (await run('npm', ['config', 'get', 'cache'], { env: userEnv(systemPath) })).stdout.trim();
    await mkdir(state.work);
    await writeFile(join(state.work, 'pod.yaml'), PRIVILEGED_POD);
    state.npxBefore = new Set(await readdir(join(state.npmCache, '_npx')).catch(() => []));
    // The two installs at once: each takes most of a minute (the Node 24 binary alone is 30 MB packed).
    let installed: { stdout: string; stderr: string };
    [installed, state.npxCheck] = await Promise.all([
      run('npm', ['install', '--global', '--prefix', state.prefix, '--prefer-offline', '--no-audit', '--no-fund', state.tarball], { env: userEnv(systemPath), timeout: INSTALL_TIMEOUT_MS }),
      npx(['check', 'pod.yaml']),
    ]);
    state.installOutput = `${installed.stdout}\n${installed.stderr}`;
    state.env = userEnv([join(state.prefix, 'bin'), systemPath].join(delimiter));
    const bundled = join(state.prefix, 'lib', 'node_modules', 'policygate', 'node_modules', 'node', 'package.json');
    state.bundledVersion = `v${(JSON.parse(await readFile(bundled, 'utf8')) as { version: string }).version}`;
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    // npx keeps what it installed in npm's cache: remove what this test put there, and only that.
    for (const entry of await readdir(join(state.npmCache, '_npx')).catch(() => [])) {
      if (state.npxBefore.has(entry)) continue;
      const manifest = await readFile(join(state.npmCache, '_npx', entry, 'package.json'), 'utf8').catch(() => '');
      if (state.tarball !== '' && manifest.includes(dirname(state.tarball))) await rm(join(state.npmCache, '_npx', entry), { recursive: true, force: true });
    }
  });

  /** The Node the command should run on: the machine's if it is new enough, else the one the package brings. */
  const expectedNode = () => (Number(state.machine.version.slice(1).split('.')[0]) >= 24 ? state.machine.version : state.bundledVersion);

  it('packs the launcher and the compiled CLI, and neither sources, tests nor source maps', async () => {
    const { stdout } = await run('tar', ['-tzf', state.tarball]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/bin/policygate.js', 'package/dist/cli/main.js', 'package/dist/cli/check.js']));
    expect(files.filter((file) => !/^package\/(dist\/.*\.js|bin\/policygate\.js|package\.json|README\.md|LICENSE)$/.test(file))).toEqual([]);
  });

  it('`npm install -g` puts `policygate` on the PATH; it runs on the Node 24 the package brings', async () => {
    expect(state.bundledVersion).toMatch(/^v24\./);
    const version = await spawnResult('policygate', ['version'], { cwd: state.work, env: state.env });
    expect(version).toEqual({ code: 0, signal: null, stdout: `policygate 0.1.0 (Node.js ${expectedNode()})\n`, stderr: '' });
    const flag = await spawnResult('policygate', ['--version'], { cwd: state.work, env: state.env });
    expect(flag.stdout).toBe(version.stdout);
  }, CASE_TIMEOUT_MS);

  it('warns EBADENGINE, if at all, only for the packages the README’s install section explains', async () => {
    const warned = engineWarnings(state.installOutput);
    const documented = documentedEngineWarnings(await readFile(join(ROOT, 'README.md'), 'utf8'), '## Installing the `policygate` command');
    if (Number(state.machine.version.slice(1).split('.')[0]) < 22) expect(warned).toEqual(documented);
    else expect(warned).toEqual([]);
  });

  it('checks a manifest from an unrelated directory as the checkout does: same output, exit 1 on a refusal', async () => {
    const installed = await spawnResult('policygate', ['check', 'pod.yaml'], { cwd: state.work, env: state.env });
    const checkout = await runCli(['check', 'pod.yaml'], { cwd: state.work, env: { NO_COLOR: '1' } });
    expect(installed.stdout).toContain('pod-security/privileged');
    expect(installed).toEqual({ code: 1, signal: null, stdout: checkout.stdout, stderr: '' });
  }, CASE_TIMEOUT_MS);

  it('reads standard input, and passes a usage error’s exit code and message through', async () => {
    const piped = await spawnResult('policygate', ['check', '-'], { cwd: state.work, env: state.env, stdin: PRIVILEGED_POD });
    expect(piped.stdout).toContain('pod-security/privileged');
    expect(piped.code).toBe(1);
    const usage = await spawnResult('policygate', ['check', '--fail-on', 'sometimes', 'pod.yaml'], { cwd: state.work, env: state.env });
    expect(usage).toEqual({ code: 2, signal: null, stdout: '', stderr: 'policygate check: --fail-on must be one of enforce, warn, audit, never (got "sometimes")\n' });
  }, CASE_TIMEOUT_MS);

  const started: number[] = [];
  afterEach(() => killLeftovers(started.splice(0), /policygate/));

  /** Starts `policygate ARGS` and waits until the CLI runs beneath the launcher (on Node 24). */
  async function startBeneath(args: string[], stdin: 'pipe' | 'ignore') {
    const child = spawn('policygate', args, { cwd: state.work, env: state.env, stdio: [stdin, 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => child.once('exit', (code, signal) => resolvePromise({ code, signal })));
    if (child.pid === undefined) throw new Error('policygate did not start');
    started.push(child.pid);
    let beneath: number[] = [];
    // On Node 20 the launcher runs the CLI in a child process; on Node 24 and newer, in its own.
    const relaunches = expectedNode() !== state.machine.version;
    for (let tries = 0; relaunches && beneath.length === 0 && tries < 200; tries++) {
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
      beneath = await descendants(child.pid);
    }
    if (relaunches) expect(beneath.length).toBeGreaterThan(0);
    started.push(...beneath);
    return { child, exited, beneath };
  }

  it.skipIf(process.platform !== 'linux')('passes SIGTERM on to `serve`, which shuts down gracefully: exit 0, nothing left running', async () => {
    const { child, exited, beneath } = await startBeneath(['serve', '--dev', '--port', '0', '--host', '127.0.0.1', '--no-cluster'], 'ignore');
    let stdout = '';
    await new Promise<void>((resolvePromise, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"msg":"policygate webhook listening"')) resolvePromise();
      });
      void exited.then(() => reject(new Error(`serve ended before it listened: ${stdout}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(beneath.filter(alive)).toEqual([]);
    expect(stdout).toContain('"signal":"SIGTERM","msg":"received signal: shutting down gracefully"');
  }, CASE_TIMEOUT_MS);

  it.skipIf(process.platform !== 'linux')('dies of the signal that killed the CLI, and leaves nothing running', async () => {
    // `check -` waits for standard input and has no SIGTERM handler: the CLI dies of it, and so must the command.
    const { child, exited, beneath } = await startBeneath(['check', '-'], 'pipe');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(beneath.filter(alive)).toEqual([]);
    child.stdin?.destroy();
  }, CASE_TIMEOUT_MS);

  it('`npx --package <tarball> policygate` runs it too, from an unrelated directory, on Node 24', async () => {
    const checkout = await runCli(['check', 'pod.yaml'], { cwd: state.work, env: { NO_COLOR: '1' } });
    expect({ code: state.npxCheck?.code, stdout: state.npxCheck?.stdout }).toEqual({ code: 1, stdout: checkout.stdout });
    // npx puts the package's bin directory, the `node` of its `node` dependency included, first on the PATH.
    expect((await npx(['version'])).stdout).toMatch(/^policygate 0\.1\.0 \(Node\.js v24\./);
  }, CASE_TIMEOUT_MS);
});
