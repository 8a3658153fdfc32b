// The decision log as an operator reads it: `policygate serve` in a child process, its stdout a pipe
// (as in a container), lines written in batches. Every line arrives whole and in order, a quiet
// log still shows up within moments, and what is pending at SIGTERM is written before exit.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest, makeTestCertificates, pod, postReview, reviewOf, type TestCertificates } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const BIN = resolve(ROOT, 'bin/policygate.js');

let certs: TestCertificates;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.cleanup();
});

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The child's stdout as parsed JSON lines, and a wait for the first line that matches. */
function logOf(child: ChildProcessWithoutNullStreams) {
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const lines = () =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  async function waitFor(msg: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines().find((line) => line.msg === msg);
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${msg}" line within ${timeoutMs} ms; stdout so far:\n${text}`);
      await new Promise((wake) => setTimeout(wake, 20));
    }
  }
  return { lines, waitFor, text: () => text };
}

function startServe(port: number, nodeOptions: string[] = []): ChildProcessWithoutNullStreams {
  return spawn(NODE, [...nodeOptions, BIN, 'serve', '--no-cluster', '--host', '127.0.0.1', '--port', String(port), '--tls-cert', certs.files.cert, '--tls-key', certs.files.key], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

describe('the decision log on a real stdout', () => {
  it('writes every line whole and in order, soon after a quiet spell, and all of them before exiting on SIGTERM', async () => {
    const port = await freePort();
    const child = startServe(port);
    const log = logOf(child);
    try {
      // Nothing else is logged after it, so this line only arrives through the batch's timer.
      const listening = await log.waitFor('policygate webhook listening', 10_000);
      expect(listening.url).toBe(`https://127.0.0.1:${port}`);

      const uids: string[] = [];
      for (let index = 0; index < 40; index++) {
        const uid = `uid-${String(index).padStart(2, '0')}`;
        uids.push(uid);
        const answer = await postReview(port, '/validate', reviewOf(pod({ name: `web-${index}`, privileged: index % 2 === 1 }), { uid }), { ca: certs.ca.cert });
        expect(answer.response.uid).toBe(uid);
      }

      child.kill('SIGTERM');
      // 'close', not 'exit': by then stdout has been read to its end.
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(0);

      const lines = log.lines();
      const decisions = lines.filter((line) => line.msg === 'admission decision');
      expect(decisions.map((line) => line.uid)).toEqual(uids);
      expect(decisions.map((line) => line.decision)).toEqual(uids.map((_, index) => (index % 2 === 1 ? 'denied' : 'allowed')));
      expect(lines.at(-1)?.msg).toBe('shut down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);

  // Node ends a process on an unhandled rejection; a library's stray promise must not stop the webhook.
  it('logs a promise rejection nobody handled and goes on answering', async () => {
    const port = await freePort();
    const strayRejection = "data:text/javascript,setTimeout(() => Promise.reject(new Error('stray rejection from a library')), 500)";
    const child = startServe(port, ['--import', strayRejection]);
    const log = logOf(child);
    try {
      const logged = await log.waitFor('unhandled promise rejection (the server keeps running)', 10_000);
      expect(logged.level).toBe(50);
      expect((logged.err as { message?: string }).message).toBe('stray rejection from a library');
      const health = await httpsRequest(port, { path: '/healthz', tls: { ca: certs.ca.cert } });
      expect(health.status).toBe(200);
      const answer = await postReview(port, '/validate', reviewOf(pod({ privileged: true }), { uid: 'after' }), { ca: certs.ca.cert });
      expect(answer.response).toMatchObject({ uid: 'after', allowed: false, status: { code: 403 } });
      child.kill('SIGTERM');
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
