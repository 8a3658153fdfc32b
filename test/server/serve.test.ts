// `policygate serve` as a command: --dev certificates, cluster or no cluster, signals, bad flags.
import { X509Certificate } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import type { CommandIO } from '../../src/cli/command.js';
import { InputError } from '../../src/errors.js';
import type { RunningServer } from '../../src/server/listen.js';
import { startFakeApiServer } from '../kube/fake-api-server.js';
import { http2Session, httpsRequest, makeTestCertificates, pod, postReview, reviewOf, type TestCertificates } from './helpers.js';

let certs: TestCertificates;
let cwd: string;
beforeAll(async () => {
  certs = await makeTestCertificates();
  cwd = await mkdtemp(join(tmpdir(), 'policygate-serve-'));
});
afterAll(async () => {
  await certs.cleanup();
  await rm(cwd, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const commandIo: CommandIO = { stdout, stderr, stdin: new PassThrough(), env, cwd };
  return {
    io: commandIo,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stderr: () => err,
  };
}

/** Runs `serve` until `test` is done with it, then sends SIGTERM and returns the exit code. */
async function withServe(argv: string[], context: ReturnType<typeof io>, test: (server: RunningServer) => Promise<void>): Promise<number> {
  const signals = new EventEmitter();
  let listening: (server: RunningServer) => void = () => {};
  const started = new Promise<RunningServer>((resolve) => (listening = resolve));
  const exit = serve(argv, context.io, { signals, onListening: listening });
  const server = await Promise.race([started, exit.then(() => Promise.reject(new Error('serve returned before listening')))]);
  try {
    await test(server);
  } finally {
    signals.emit('SIGTERM', 'SIGTERM');
  }
  return exit;
}

describe('policygate serve --dev', () => {
  it('creates a development CA and certificate under ./certs, serves with them, and reuses them', async () => {
    const first = io();
    let trust = '';
    const code = await withServe(['--dev', '--port', '0', '--host', '127.0.0.1', '--no-cluster'], first, async (server) => {
      trust = await readFile(join(cwd, 'certs', 'ca.crt'), 'utf8');
      const health = await httpsRequest(server.port, { path: '/healthz', tls: { ca: trust } });
      expect(health.status).toBe(200);
      expect((await httpsRequest(server.port, { path: '/readyz', tls: { ca: trust } })).status).toBe(200);
      const answer = await postReview(server.port, '/validate', reviewOf(pod({ privileged: true }), { uid: 'dev' }), { ca: trust });
      expect(answer.response).toMatchObject({ uid: 'dev', allowed: false });
    });
    expect(code).toBe(0);
    const serving = new X509Certificate(await readFile(join(cwd, 'certs', 'tls.crt')));
    // This machine and every name of deploy/'s Service (policygate/policygate).
    expect(serving.subjectAltName).toBe(
      'DNS:localhost, DNS:policygate, DNS:policygate.policygate, DNS:policygate.policygate.svc, DNS:policygate.policygate.svc.cluster.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(first.stderr()).toContain('certs/ca.crt');
    const messages = first.logs().map((line) => line.msg);
    expect(messages).toContain('created a development CA and serving certificate');
    expect(messages).toContain('running without a cluster: no namespace lookups; pods are judged by the configured pod-security defaults');
    expect(messages).toContain('using the embedded default configuration');
    expect(messages).toContain('shut down');

    const second = io();
    await withServe(['--dev', '--port', '0', '--host', '127.0.0.1', '--no-cluster'], second, async () => {});
    expect(second.logs().map((line) => line.msg)).toContain('using the development certificate');
    expect(new X509Certificate(await readFile(join(cwd, 'certs', 'tls.crt'))).serialNumber).toBe(serving.serialNumber);
  });
});

describe('policygate serve with a cluster', () => {
  it('is ready once the namespace cache has synced, judges pods by their namespace, and closes the watch on SIGTERM', async () => {
    const api = await startFakeApiServer(certs, [{ name: 'locked', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, { name: 'open' }]);
    try {
      const kubeconfig = await api.writeKubeconfig();
      const context = io();
      const code = await withServe(
        ['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--kubeconfig', kubeconfig, '--port', '0', '--host', '127.0.0.1'],
        context,
        async (server) => {
          const trust = { ca: certs.ca.cert };
          const deadline = Date.now() + 5_000;
          while ((await httpsRequest(server.port, { path: '/readyz', tls: trust })).status !== 200) {
            if (Date.now() > deadline) throw new Error('never ready');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const locked = await postReview(server.port, '/validate', reviewOf(pod({ namespace: 'locked' })), trust);
          expect(locked.response.allowed).toBe(false);
          expect(locked.response.status?.message).toContain('restricted:latest');
          const open = await postReview(server.port, '/validate', reviewOf(pod({ namespace: 'open' })), trust);
          expect(open.response.allowed).toBe(true);
          const missing = await postReview(server.port, '/validate', reviewOf(pod({ namespace: 'nowhere' })), trust);
          expect(missing.response.allowed).toBe(false);
          expect(missing.response.status?.code).toBe(500);
          expect(missing.response.status?.message).toContain('namespace "nowhere" not found');
          expect(api.openWatches()).toBe(1);
          const metrics = await httpsRequest(server.port, { path: '/metrics', tls: trust });
          expect(metrics.body).toContain('policygate_namespace_cache_size 2');
          expect(metrics.body).toContain('process_cpu_seconds_total');
        },
      );
      expect(code).toBe(0);
      const deadline = Date.now() + 2_000;
      while (api.openWatches() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(api.openWatches()).toBe(0);
      const messages = context.logs().map((line) => line.msg);
      expect(messages).toContain('watching Namespaces for their labels (pod-security levels, per-namespace modes)');
      expect(messages).toContain('namespace cache synced');
    } finally {
      await api.close();
    }
  });
});

describe('policygate serve: shutdown', () => {
  it('closes the connections still open when the grace ends, HTTP/1.1 and HTTP/2 alike, and exits 0', async () => {
    const context = io();
    const signals = new EventEmitter();
    let listening: (server: RunningServer) => void = () => {};
    const started = new Promise<RunningServer>((resolve) => (listening = resolve));
    const argv = ['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--port', '0', '--host', '127.0.0.1', '--no-cluster'];
    const exit = serve(argv, context.io, { signals, onListening: listening, shutdownTimeoutMs: 300 });
    const server = await started;
    // On each protocol a request whose body never ends: in flight until the grace runs out.
    const h1 = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca.cert, ALPNProtocols: ['http/1.1'] });
    await once(h1, 'secureConnect');
    h1.on('error', () => {});
    h1.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":');
    const session = await http2Session(server.port, { ca: certs.ca.cert });
    session.on('error', () => {});
    const stream = session.request({ ':method': 'POST', ':path': '/validate', 'content-type': 'application/json' });
    stream.on('error', () => {});
    stream.write('{"kind":');
    const closed = Promise.all([once(h1, 'close'), once(session, 'close')]);

    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
    await closed;
    const messages = context.logs().map((line) => line.msg);
    expect(messages).toContain('shutdown timeout: closing the connections still open');
    expect(messages).toContain('shut down');
  });
});

describe('policygate serve: bad flags', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no certificate', ['--no-cluster'], /needs --tls-cert FILE and --tls-key FILE/],
    ['--dev with a certificate', ['--dev', '--tls-cert', 'x', '--tls-key', 'y'], /either --dev or --tls-cert/],
    ['a missing certificate file', ['--tls-cert', '/nonexistent.crt', '--tls-key', '/nonexistent.key', '--no-cluster', '--port', '0'], /cannot read --tls-cert \/nonexistent.crt: ENOENT/],
    ['a bad port', ['--dev', '--port', '99999'], /--port must be a port number/],
    ['a bad log level', ['--dev', '--log-level', 'loud'], /--log-level must be one of/],
    ['an unknown flag', ['--dev', '--tls'], /Unknown option '--tls'/],
  ];
  for (const [name, argv, message] of cases) {
    it(`refuses ${name}`, async () => {
      const error = await serve(argv, io().io).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a certificate and key that do not belong together', async () => {
    const other = await certs.issueServing();
    const key = join(certs.dir, 'other.key');
    await writeFile(key, other.key);
    const error = await serve(['--tls-cert', certs.files.cert, '--tls-key', key, '--no-cluster', '--port', '0'], io().io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/cannot be used together/);
  });

  it('refuses an invalid configuration file', async () => {
    const file = join(certs.dir, 'bad-config.yaml');
    await writeFile(file, 'rules:\n  pod-security:\n    mode: enforcing\n');
    const error = await serve(['--dev', '--config', file], io().io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('bad-config.yaml');
  });
});
