// `npm start` stops when npm is signalled. npm runs a script through `sh -c`, and forwards SIGTERM and
// SIGINT to that shell only: a server started beneath it was left running, holding its port, so the
// next `npm start` failed with "port in use". Here npm runs the project's own start script (in a
// scratch copy of the package, so that the development certificate lands there) and is sent SIGTERM.
import { spawn } from 'node:child_process';
import { cp, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { machineNode, userEnv } from '../helpers/machine-node.js';
import { alive, descendants, killLeftovers } from '../helpers/processes.js';
import { scratchDirectories } from '../helpers/scratch.js';
import { ROOT } from './run-cli.js';

const scratch = scratchDirectories('policygate-npm-start');
const started: number[] = [];
// Whatever a failed run left behind is stopped, so that it cannot hold a port for other tests.
afterEach(() => killLeftovers(started.splice(0), /npm|policygate/));

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

it.skipIf(process.platform !== 'linux')(
  'npm start: SIGTERM to npm stops the server beneath it, frees its port, and npm exits 0',
  async () => {
    const copy = await scratch();
    await cp(join(ROOT, 'package.json'), join(copy, 'package.json'));
    await cp(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
    await symlink(join(ROOT, 'dist'), join(copy, 'dist'));
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    // npm as a user runs it, on the machine's own node (Node 20 here): no npm_* variables of the
    // `npm test` that runs this test, and not its node_modules/.bin on the PATH.
    const machine = await machineNode();
    const env = userEnv([machine.dir, '/usr/bin', '/bin'].join(delimiter));
    await writeFile(join(copy, '.npmrc'), 'update-notifier=false\n');

    const npm = spawn('npm', ['start', '--', '--port', '0', '--host', '127.0.0.1'], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => npm.once('exit', (code, signal) => resolvePromise({ code, signal })));
    if (npm.pid === undefined) throw new Error('npm did not start');
    started.push(npm.pid);
    let stdout = '';
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = await new Promise<string>((resolvePromise, reject) => {
      npm.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /"url":"(https:\/\/[^"]+)".*"msg":"policygate webhook listening"/.exec(stdout)?.[1];
        if (url) resolvePromise(url);
      });
      void exited.then(() => reject(new Error(`npm start ended before the server listened:\n${stdout}\n${stderr}`)));
    });
    const port = Number(new URL(listening).port);
    const beneath = await descendants(npm.pid);
    started.push(...beneath);
    expect(beneath.length).toBeGreaterThan(0);
    expect(await portAnswers(port)).toBe(true);

    process.kill(npm.pid, 'SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(beneath.filter(alive)).toEqual([]);
    expect(await portAnswers(port)).toBe(false);
    // The server shut down as it does on SIGTERM, not killed.
    expect(stdout).toMatch(/"signal":"SIGTERM","msg":"received signal: shutting down gracefully"/);
  },
  120_000,
);
