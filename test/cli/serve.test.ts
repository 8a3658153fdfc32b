// `policygate serve` run as a user runs it (the real binary in a child process): `-c` names its
// configuration as it does for every other command, and the server then judges by that file.
import { spawn } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { killLeftovers } from '../helpers/processes.js';
import { scratchDirectories } from '../helpers/scratch.js';
import { pod, postReview, reviewOf } from '../server/helpers.js';
import { FIXTURES, ROOT, runCli } from './run-cli.js';

const scratch = scratchDirectories('policygate-serve-cli');
const started: number[] = [];
afterEach(() => killLeftovers(started.splice(0), /policygate/));

it('serve -c FILE refuses a bad configuration as --config does: exit 2, one line naming the file', async () => {
  const cwd = await scratch();
  const short = await runCli(['serve', '-c', join(FIXTURES, 'bad-config.yaml'), '--dev', '--no-cluster', '--port', '0'], { cwd });
  const long = await runCli(['serve', '--config', join(FIXTURES, 'bad-config.yaml'), '--dev', '--no-cluster', '--port', '0'], { cwd });
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/^policygate serve: .*bad-config\.yaml.*\n$/);
  expect(short).toEqual(long);
}, 60_000);

it('serve -c FILE judges by that configuration: a privileged pod is allowed with a warning under pod-security mode warn', async () => {
  const cwd = await scratch();
  await copyFile(join(FIXTURES, 'warn-config.yaml'), join(cwd, 'policy.yaml'));
  const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/policygate.js'), 'serve', '-c', 'policy.yaml', '--dev', '--no-cluster', '--port', '0', '--host', '127.0.0.1'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('serve did not start');
  started.push(child.pid);
  const exited = new Promise<number | null>((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /"url":"(https:\/\/[^"]+)".*"msg":"policygate webhook listening"/.exec(stdout)?.[1];
      if (url) resolvePromise(Number(new URL(url).port));
    });
    void exited.then(() => reject(new Error(`serve ended before it listened:\n${stdout}\n${stderr}`)));
  });
  const ca = await readFile(join(cwd, 'certs', 'ca.crt'), 'utf8');
  const answer = await postReview(port, '/validate', reviewOf(pod({ privileged: true }), { uid: 'short-config' }), { ca });
  expect(answer.response).toMatchObject({ uid: 'short-config', allowed: true });
  expect(answer.response.warnings?.join('\n')).toMatch(/privileged/);
  expect(stdout).not.toContain('using the embedded default configuration');
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);
