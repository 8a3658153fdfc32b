// The transport, over real TLS sockets on 127.0.0.1: TLS only, HTTP/2 and HTTP/1.1, client-certificate
// authentication, certificate reload mid-traffic, graceful shutdown with requests in flight, body
// limits, malformed bodies, and many parallel reviews with every uid matched.
import { X509Certificate } from 'node:crypto';
import { copyFile, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceInfo } from '../../src/rules/types.js';
import type { NamespaceSource } from '../../src/server/app.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/listen.js';
import { testConfig } from '../helpers/config.js';
import {
  capturedLogger,
  http2Post,
  http2Session,
  httpsRequest,
  makeTestCertificates,
  pod,
  postReview,
  restrictedPod,
  reviewOf,
  type ClientTls,
  type TestCertificates,
} from './helpers.js';

let certs: TestCertificates;
let trust: ClientTls;
beforeAll(async () => {
  certs = await makeTestCertificates();
  trust = { ca: certs.ca.cert };
});
afterAll(async () => {
  await certs.cleanup();
});

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.shutdown();
});

async function start(options: Partial<StartOptions> = {}) {
  const log = capturedLogger();
  const server = await startServer({
    config: testConfig(),
    logger: log.logger,
    tls: { cert: certs.files.cert, key: certs.files.key },
    host: '127.0.0.1',
    port: 0,
    reloadIntervalMs: 100,
    ...options,
  });
  running.push(server);
  return { server, log };
}

/** Polls `condition` until it holds: waits for an event without guessing how long it takes on a loaded machine. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca.cert, ALPNProtocols: ['http/1.1'] }, () => {
      const certificate = socket.getPeerX509Certificate();
      socket.end();
      if (certificate) resolve(certificate);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

describe('TLS', () => {
  it('serves nothing over plain HTTP', async () => {
    const { server } = await start();
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', () => resolve(received));
      socket.setTimeout(2_000, () => socket.destroy());
    });
    expect(answer).not.toMatch(/^HTTP\//);
    expect(answer).not.toContain('ok');
  });

  it('refuses TLS below 1.2', async () => {
    const { server } = await start();
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: certs.ca.cert, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => {
        socket.end();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).not.toBe('connected');
  });

  it('speaks HTTP/2 when offered and HTTP/1.1 otherwise', async () => {
    const { server } = await start();
    const session = await http2Session(server.port, trust);
    try {
      const h2 = await http2Post(session, '/validate', JSON.stringify(reviewOf(restrictedPod(), { uid: 'over-h2' })));
      expect(h2.status).toBe(200);
      expect(JSON.parse(h2.body).response.uid).toBe('over-h2');
    } finally {
      session.close();
    }
    const h1 = await httpsRequest(server.port, { path: '/healthz', tls: trust, alpn: ['http/1.1'] });
    expect(h1.status).toBe(200);
    expect(h1.alpn).toBe('http/1.1');
    const noAlpn = await httpsRequest(server.port, { path: '/healthz', tls: trust });
    expect(noAlpn.status).toBe(200);
  });

  it('requires a client certificate signed by --client-ca on /validate and /mutate, over HTTP/1.1 and HTTP/2, and not on the probes', async () => {
    const { server, log } = await start({ tls: { cert: certs.files.cert, key: certs.files.key, clientCa: certs.files.caCert } });
    const apiServer = { ...trust, cert: certs.client.cert, key: certs.client.key };
    const stranger = { ...trust, cert: certs.strangerClient.cert, key: certs.strangerClient.key };
    const review = JSON.stringify(reviewOf(restrictedPod(), { uid: 'authenticated' }));
    const post = (path: string, tls: typeof trust) =>
      httpsRequest(server.port, { path, method: 'POST', body: review, headers: { 'content-type': 'application/json' }, tls });

    expect((await postReview(server.port, '/validate', JSON.parse(review), apiServer)).response.uid).toBe('authenticated');
    expect((await postReview(server.port, '/mutate', JSON.parse(review), apiServer)).response.uid).toBe('authenticated');
    for (const path of ['/validate', '/mutate']) {
      for (const caller of [trust, stranger]) {
        const refused = await post(path, caller);
        expect(refused.status, path).toBe(401);
        expect(JSON.parse(refused.body)).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'a client certificate signed by the CA of --client-ca is required to call this path' });
      }
    }
    const session = await http2Session(server.port, trust);
    try {
      expect((await http2Post(session, '/validate', review)).status).toBe(401);
    } finally {
      session.close();
    }
    const authenticatedSession = await http2Session(server.port, apiServer);
    try {
      expect((await http2Post(authenticatedSession, '/validate', review)).status).toBe(200);
    } finally {
      authenticatedSession.close();
    }
    // The kubelet's probes present no certificate: they must reach /healthz and /readyz, or no pod would ever be ready.
    expect((await httpsRequest(server.port, { path: '/healthz', tls: trust })).status).toBe(200);
    expect((await httpsRequest(server.port, { path: '/readyz', tls: trust })).status).toBe(200);
    expect(log.lines.filter((line) => line.msg === 'refused a request').map((line) => line.status)).toEqual([401, 401, 401, 401, 401]);
  });

  it('reloads the certificate when its files change, mid-traffic, without a failed request', async () => {
    const dir = join(certs.dir, 'reload');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const files = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
    await copyFile(certs.files.cert, files.cert);
    await copyFile(certs.files.key, files.key);
    const { server, log } = await start({ tls: files });
    const before = await peerCertificate(server.port);
    const next = await certs.issueServing();

    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    async function traffic(agent: https.Agent | undefined) {
      while (!stop) {
        const uid = `reload-${sent++}`;
        try {
          const answer = await postReview(server.port, '/validate', reviewOf(restrictedPod(), { uid }), trust, agent);
          if (answer.response.uid !== uid) failures.push(`${uid}: got ${answer.response.uid}`);
        } catch (error) {
          failures.push(`${uid}: ${(error as Error).message}`);
        }
      }
    }
    // New connections (a handshake each) and kept-alive ones, side by side.
    const clients = [traffic(undefined), traffic(undefined), traffic(keepAlive), traffic(keepAlive)];
    await new Promise((resolve) => setTimeout(resolve, 150));

    // A rotation caught halfway, new certificate and old key: never installed.
    await writeFile(files.cert, next.cert);
    await until(() => log.lines.some((line) => line.msg === 'TLS files changed but cannot be used yet; still serving the previous certificate'), 'the half rotation to be seen');
    expect((await peerCertificate(server.port)).serialNumber).toBe(before.serialNumber);
    // The key arrives: the pair is installed.
    await writeFile(files.key, next.key);
    const deadline = Date.now() + 5_000;
    let after = await peerCertificate(server.port);
    while (after.serialNumber === before.serialNumber && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await peerCertificate(server.port);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    stop = true;
    await Promise.all(clients);
    keepAlive.destroy();

    expect(after.serialNumber).toBe(new X509Certificate(next.cert).serialNumber);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(20);
    expect(log.lines.some((line) => line.msg === 'reloaded the serving certificate')).toBe(true);
    const metrics = await server.metrics.registry.metrics();
    expect(metrics).toContain('policygate_certificate_reloads_total{result="success"} 1');
    expect(metrics).toContain(`policygate_serving_certificate_expiry_timestamp_seconds ${Math.floor(next.notAfter.getTime() / 1000)}`);
  });
});

describe('graceful shutdown', () => {
  it('answers every request in flight, refuses new connections, and closes the namespace source', async () => {
    let arrived = 0;
    let closed = false;
    const slow: NamespaceSource = {
      async get(name: string): Promise<NamespaceInfo> {
        arrived++;
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { name, labels: {} };
      },
      close() {
        closed = true;
      },
    };
    const { server } = await start({ namespaces: slow });
    const agent = new https.Agent({ keepAlive: true, maxSockets: 5 });
    const session = await http2Session(server.port, trust);
    const inFlight = [
      ...Array.from({ length: 10 }, (_, index) => postReview(server.port, '/validate', reviewOf(pod(), { uid: `h1-${index}` }), trust, agent).then((answer) => answer.response.uid)),
      ...Array.from({ length: 10 }, (_, index) =>
        http2Post(session, '/validate', JSON.stringify(reviewOf(pod(), { uid: `h2-${index}` }))).then((answer) => JSON.parse(answer.body).response.uid as string),
      ),
    ];
    const deadline = Date.now() + 5_000;
    while (arrived < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(arrived).toBe(20);

    const started = Date.now();
    const shutdown = server.shutdown();
    const refused = () =>
      httpsRequest(server.port, { path: '/healthz', tls: trust }).then(
        () => false,
        (error: Error) => /ECONNREFUSED/.test(error.message),
      );
    await until(refused, 'new connections to be refused');

    const uids = await Promise.all(inFlight);
    expect(uids).toEqual([...Array.from({ length: 10 }, (_, index) => `h1-${index}`), ...Array.from({ length: 10 }, (_, index) => `h2-${index}`)]);
    await shutdown;
    // Idle kept-alive connections do not hold the shutdown up to their keep-alive timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(closed).toBe(true);
    agent.destroy();
    session.destroy();
  });
});

describe('requests over TLS', () => {
  it('accepts a 3 MiB review, answers 413 above the limit and 400 to malformed bodies, and keeps serving', async () => {
    const { server } = await start();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const object = restrictedPod();
    object.metadata = { ...object.metadata, annotations: { padding: 'x'.repeat(3 * 1024 * 1024 - 2_000) } };
    const big = await httpsRequest(server.port, { path: '/validate', body: JSON.stringify(reviewOf(object, { uid: 'big' })), tls: trust, agent });
    expect(big.status).toBe(200);
    object.metadata = { ...object.metadata, annotations: { padding: 'x'.repeat(4 * 1024 * 1024) } };
    const tooBig = await httpsRequest(server.port, { path: '/validate', body: JSON.stringify(reviewOf(object)), tls: trust, agent });
    expect(tooBig.status).toBe(413);
    for (const body of ['{"kind":', 'null', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', '\u0000\u0001binary']) {
      const response = await httpsRequest(server.port, { path: '/validate', body, tls: trust, agent });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).message).not.toContain('\n');
    }
    const wrongType = await httpsRequest(server.port, { path: '/validate', body: '{}', contentType: 'text/yaml', tls: trust, agent });
    expect(wrongType.status).toBe(415);
    const session = await http2Session(server.port, trust);
    const tooBigH2 = await http2Post(session, '/validate', JSON.stringify(reviewOf(object)));
    expect(tooBigH2.status).toBe(413);
    session.close();
    const after = await postReview(server.port, '/validate', reviewOf(restrictedPod(), { uid: 'still-here' }), trust, agent);
    expect(after.response.uid).toBe('still-here');
    agent.destroy();
  });

  it('refuses a body nested too deep at its first bracket too deep, without waiting for the rest, and closes the connection', async () => {
    const { server } = await start();
    // Announce 3 MB, send the first 4 KB of arrays nested ever deeper, and never the rest.
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca.cert, ALPNProtocols: ['http/1.1'] });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.write(`POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${3 * 1024 * 1024}\r\n\r\n{"request":${'['.repeat(4096)}`);
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(answer).toContain('"message":"body nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed (at byte 111)"');
    // Over HTTP/2 the stream is answered the same, and the session goes on.
    const session = await http2Session(server.port, trust);
    const deep = await http2Post(session, '/validate', `{"request":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(deep.status).toBe(400);
    const after = await http2Post(session, '/validate', JSON.stringify(reviewOf(restrictedPod(), { uid: 'after-deep' })));
    expect(JSON.parse(after.body).response.uid).toBe('after-deep');
    session.close();
  });

  it('answers many parallel reviews over HTTP/1.1 and HTTP/2, every uid matched', async () => {
    const { server } = await start();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 10 });
    const session = await http2Session(server.port, trust);
    const objects = [restrictedPod(), pod({ privileged: true }), pod()];
    const jobs: Array<Promise<[string, string, boolean]>> = [];
    for (let index = 0; index < 300; index++) {
      const uid = `parallel-${index}`;
      const review = reviewOf(objects[index % objects.length] ?? pod(), { uid });
      jobs.push(
        index % 2 === 0
          ? postReview(server.port, '/validate', review, trust, agent).then((answer) => [uid, answer.response.uid, answer.response.allowed])
          : http2Post(session, '/validate', JSON.stringify(review)).then((answer) => {
              const { response } = JSON.parse(answer.body) as { response: { uid: string; allowed: boolean } };
              return [uid, response.uid, response.allowed];
            }),
      );
    }
    const results = await Promise.all(jobs);
    for (const [index, [sent, received, allowed]] of results.entries()) {
      expect(received).toBe(sent);
      expect(allowed).toBe(index % 3 !== 1);
    }
    session.close();
    agent.destroy();
  });
});

describe('bodies abandoned part-way', () => {
  it('give back what they held: a client that closes mid-body cannot leave the server refusing everything with 503', async () => {
    const { server } = await start({ maxHeldBodyBytes: 64 * 1024 });
    // Each abandoned upload holds 40 KB when it is cut; two of them would pass the 64 KB cap if the
    // bytes were never given back, and every later body would be refused.
    for (let attempt = 0; attempt < 2; attempt++) {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca.cert, ALPNProtocols: ['http/1.1'] });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      socket.write(`POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"padding":"${'x'.repeat(40_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const body = JSON.stringify({ ...reviewOf(restrictedPod(), { uid: 'after' }), padding: 'x'.repeat(40_000) });
    const result = await httpsRequest(server.port, { path: '/validate', body, tls: trust });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).response).toEqual({ uid: 'after', allowed: true });
  });

  it('give back what they held over HTTP/2 too, when the client resets the stream mid-body', async () => {
    const { server } = await start({ maxHeldBodyBytes: 64 * 1024 });
    const session = await http2Session(server.port, trust);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const stream = session.request({ ':method': 'POST', ':path': '/validate', 'content-type': 'application/json', 'content-length': '100000' });
        stream.on('error', () => {});
        stream.write(`{"padding":"${'x'.repeat(40_000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        stream.close(http2.constants.NGHTTP2_CANCEL);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const body = JSON.stringify({ ...reviewOf(restrictedPod(), { uid: 'after-h2' }), padding: 'x'.repeat(40_000) });
      const result = await http2Post(session, '/validate', body);
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body).response).toEqual({ uid: 'after-h2', allowed: true });
    } finally {
      session.close();
    }
  });
});
