// Ordinary requests while hostile senders post 3 MB bodies to /validate: what any pod that can reach
// the webhook's Service could do to a fail-closed webhook. The shipped binary serves over TLS (pinned
// to core 0, as in the webhook part); an ordinary client (core 1) sends the webhook part's 6–10 KB
// reviews over 2 keep-alive connections, one request at a time each with 5 ms between, and records
// every latency; in another process (core 1 too) 10 hostile connections each post a 3 MB body, read
// the answer and post again. The server's CPU use over the measured window says what the hostile
// bodies cost it. One phase per kind of body, each with a fresh server:
//
//   none    no hostile sender: the baseline of the same run
//   deep    a pod review whose spec.affinity is arrays nested ~1.5 million deep (the attack;
//           refused unparsed since the nesting limit, parsed for over a second before it)
//   dense   the same pod with arrays nested 15 deep, repeated to 3 MB: within the nesting limit,
//           1.5 million arrays for JSON.parse to build (refused at the 200,001st since the cap on
//           arrays and objects per body)
//   large   a pod UPDATE of 2 × 1.5 MB (1,100 containers in object and oldObject): a body the API
//           server itself could send
//
//   npm run bench -- hostile        BENCH_SECONDS=8 BENCH_WARMUP_SECONDS=2 BENCH_PHASES=pattern,none,deep,dense,large
//   BENCH_POLICYGATE_BIN=/path/to/other/bin/policygate.js npm run bench -- hostile   (another build, e.g. main's)
//
// First, in this process: a label pattern that backtracks (`pattern`), matched by JavaScript's RegExp
// and by RE2 against a value chosen to make it backtrack.
//
// The figure that matters is the ordinary p99 against the goal of 100 ms, and the share of
// ordinary requests over 5 s (the validating webhook's timeoutSeconds: the API server would have
// refused those writes). On a shared machine quote them next to the `none` phase of the same run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { freePort, makeReviews, NODE, percentile, pinned, runMeasuredChild, waitForTls } from './webhook.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const BODY_BYTES = 3 * 1024 * 1024;
const HOSTILE_CONNECTIONS = 10;
const ORDINARY_CONNECTIONS = 2;
const THINK_MS = 5;
const API_SERVER_TIMEOUT_MS = 5_000;
const PHASES = ['none', 'deep', 'dense', 'large'];

// ---------------------------------------------------------------------------------------------
// The bodies

function podReview(operation = 'CREATE') {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'hostile',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'team-a',
      operation,
      userInfo: { username: 'system:serviceaccount:team-a:default', groups: ['system:authenticated'] },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hostile', namespace: 'team-a' },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
          affinity: 'FILL',
        },
      },
    },
  };
}

/** A pod review whose spec.affinity holds `fill(room)`, `room` being what is left of 3 MB. */
function filled(fill) {
  const text = JSON.stringify(podReview());
  const room = BODY_BYTES - (text.length - '"FILL"'.length);
  return text.replace('"FILL"', fill(room));
}

function deepBody() {
  return filled((room) => `${'['.repeat(Math.floor(room / 2))}${']'.repeat(Math.floor(room / 2))}`);
}

function denseBody() {
  const unit = `${'['.repeat(15)}${']'.repeat(15)}`;
  return filled((room) => `[${Array.from({ length: Math.floor((room - 2) / (unit.length + 1)) }, () => unit).join(',')}]`);
}

function largeBody() {
  const review = podReview('UPDATE');
  const { spec } = review.request.object;
  delete spec.affinity;
  const [first] = spec.containers;
  let size = JSON.stringify(review.request.object).length;
  for (let index = 0; size < BODY_BYTES / 2 - 2_000; index++) {
    const container = {
      ...first,
      name: `worker-${index}`,
      env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'QUEUE', value: `jobs-${index}` }],
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
    };
    spec.containers.push(container);
    size += JSON.stringify(container).length + 1;
  }
  review.request.oldObject = review.request.object;
  return JSON.stringify(review);
}

const BODIES = { deep: deepBody, dense: denseBody, large: largeBody };

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client over one TLS connection: send, read one response, again.

function request(body) {
  return Buffer.from(`POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** Calls `onAnswer(status, ms)` per response and sends again after `pauseMs`; reconnects when the server closes. */
function loop({ port, ca, payload, pauseMs, onAnswer, stopped }) {
  const CRLF2 = Buffer.from('\r\n\r\n');
  return new Promise((resolve) => {
    const connect = () => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
      let pending = null;
      let started = 0;
      let waiting = false;
      const send = () => {
        if (stopped()) {
          socket.destroy();
          resolve();
          return;
        }
        started = performance.now();
        waiting = true;
        socket.write(payload());
      };
      socket.on('secureConnect', send);
      socket.on('data', (chunk) => {
        pending = pending ? Buffer.concat([pending, chunk]) : chunk;
        const headerEnd = pending.indexOf(CRLF2);
        if (headerEnd === -1) return;
        const head = pending.toString('latin1', 0, headerEnd);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < headerEnd + 4 + length) return;
        pending = null;
        waiting = false;
        onAnswer(Number(head.slice(9, 12)), performance.now() - started);
        if (/\r\nconnection: *close/i.test(head)) socket.destroy();
        else setTimeout(send, pauseMs);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (waiting) onAnswer(0, performance.now() - started);
        if (stopped()) resolve();
        else setTimeout(connect, 10);
      });
    };
    connect();
  });
}

/**
 * Child process: the ordinary client (`role` ordinary) or the hostile senders (`role` a phase). Two
 * processes, so that encrypting 3 MB bodies never holds up the ordinary client's own event loop.
 */
async function clients(role, port, caFile, reviewsFile, warmupMs, durationMs) {
  const ca = readFileSync(caFile);
  const ordinary = role === 'ordinary';
  const payloads = ordinary ? JSON.parse(readFileSync(reviewsFile, 'utf8')).map((entry) => request(entry.body)) : [request(BODIES[role]())];
  let recording = false;
  let stopped = false;
  const latencies = [];
  const statuses = {};
  let next = 0;
  const running = Array.from({ length: ordinary ? ORDINARY_CONNECTIONS : HOSTILE_CONNECTIONS }, () =>
    loop({
      port,
      ca,
      payload: () => payloads[next++ % payloads.length],
      pauseMs: ordinary ? THINK_MS : 0,
      stopped: () => stopped,
      onAnswer: (status, ms) => {
        if (!recording) return;
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      },
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  recording = true;
  process.stdout.write('mark start\n');
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  recording = false;
  process.stdout.write('mark end\n');
  const seconds = (performance.now() - start) / 1000;
  stopped = true;
  // Connections stuck behind a stalled server are not waited for.
  await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      answers: latencies.length,
      perSecond: latencies.length / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      mean: latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
      overTimeout: latencies.filter((ms) => ms > API_SERVER_TIMEOUT_MS).length,
      statuses,
    }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The parent

/** Runs one client child; resolves with its result, and the server's CPU share over its measured window. */
async function runClients(role, port, files, warmupMs, durationMs, serverPid) {
  const args = [SELF, '--clients', role, String(port), files.ca, files.reviews, String(warmupMs), String(durationMs)];
  const { result, serverCpuSeconds } = await runMeasuredChild(args, serverPid, `${role} clients`, (key, value) => (value === null ? Number.NaN : value));
  return { ...result, serverCpu: serverCpuSeconds / (durationMs / 1000) };
}

async function phaseRun(phase, files, bin, warmupMs, durationMs) {
  const port = await freePort();
  const [command, args] = pinned(0)(NODE, [bin, 'serve', '--tls-cert', files.cert, '--tls-key', files.key, '--no-cluster', '--host', '127.0.0.1', '--port', String(port)]);
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const server = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  try {
    await waitForTls(port, files.caPem, server);
    const [ordinary, hostile] = await Promise.all([
      runClients('ordinary', port, files, warmupMs, durationMs, server.pid),
      phase === 'none' ? undefined : runClients(phase, port, files, warmupMs, durationMs, server.pid),
    ]);
    return { ordinary, hostile };
  } finally {
    server.kill('SIGKILL');
    await once(server, 'exit').catch(() => {});
  }
}

function format(phase, { ordinary, hostile }) {
  const late = ordinary.overTimeout > 0 ? `   ${ordinary.overTimeout} over 5 s` : '';
  // An upper bound: the server's CPU over the window, ordinary requests included, per hostile answer.
  const cpuPerBody = hostile && hostile.perSecond > 0 ? `, ≤ ${((ordinary.serverCpu / hostile.perSecond) * 1000).toFixed(1)} ms server CPU each` : '';
  const attack = hostile ? `   hostile: ${hostile.perSecond.toFixed(1)} answers/s${cpuPerBody}, mean ${hostile.mean.toFixed(0)} ms, status ${JSON.stringify(hostile.statuses)}` : '';
  return (
    `${phase.padEnd(6)} ordinary: ${ordinary.perSecond.toFixed(0).padStart(4)} req/s  p50 ${ordinary.p50.toFixed(1).padStart(7)} ms  p99 ${ordinary.p99.toFixed(1).padStart(7)} ms  ` +
    `max ${ordinary.max.toFixed(0).padStart(6)} ms${late}   server CPU ${(ordinary.serverCpu * 100).toFixed(0).padStart(3)} %${attack}`
  );
}

/**
 * A label pattern that backtracks, against values any namespace creator chooses: JavaScript's RegExp
 * (what policygate used before RE2) against labelValuePattern (RE2, via re2js), in this process.
 */
async function patternTimings() {
  const { labelValuePattern } = await import('../dist/rules/namespace-required-labels.js');
  const { formatNs, timePerOp } = await import('./measure.mjs');
  const pattern = '([a-z0-9]+)+';
  const backtracking = new RegExp(`^(?:${pattern})$`);
  const re2 = labelValuePattern(pattern);
  const hostile = (length) => `${'a'.repeat(length - 1)}!`;
  const once = (fn) => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  const regexp = [20, 22, 24].map((length) => `${length} chars ${once(() => backtracking.test(hostile(length))).toFixed(0)} ms`);
  const linear = [30, 63, 10_000].map((length) => `${length} chars ${formatNs(timePerOp(() => re2.matches(hostile(length))))}`);
  console.log(`label pattern ${pattern}, a value that almost matches:`);
  console.log(`  RegExp (backtracking): ${regexp.join(', ')} (doubling with each character)`);
  console.log(`  RE2 (re2js):           ${linear.join(', ')}`);
  console.log(`  an ordinary value ("teampayments42"): RegExp ${formatNs(timePerOp(() => backtracking.test('teampayments42')))}, RE2 ${formatNs(timePerOp(() => re2.matches('teampayments42')))}`);
}

export async function run() {
  if (!process.env.BENCH_PHASES || process.env.BENCH_PHASES.includes('pattern')) await patternTimings();
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
  const phases = (process.env.BENCH_PHASES ?? PHASES.join(',')).split(',').filter((phase) => phase !== 'pattern');
  if (phases.length === 0) return;
  const bin = process.env.BENCH_POLICYGATE_BIN ?? join(ROOT, 'bin', 'policygate.js');
  const { writeCertificates } = await import('../dist/certs/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'policygate-bench-'));
  try {
    const written = await writeCertificates({ dir, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 2 });
    const files = { cert: written.cert, key: written.key, ca: written.caCert, caPem: written.caPem, reviews: join(dir, 'reviews.json') };
    writeFileSync(files.reviews, JSON.stringify(makeReviews()));
    console.log(`${bin}`);
    console.log(
      `ordinary: ${ORDINARY_CONNECTIONS} connections, ${THINK_MS} ms between requests; hostile: ${HOSTILE_CONNECTIONS} connections posting 3 MB bodies back to back; ` +
        `${warmupSeconds} s warm-up + ${seconds} s measured per phase, ${pinned(0)('x', [])[0] === 'x' ? 'no CPU pinning' : 'server on core 0, clients on core 1'}`,
    );
    for (const phase of phases) {
      if (phase !== 'none' && !BODIES[phase]) throw new Error(`unknown phase ${phase}; the phases are ${PHASES.join(', ')}`);
      console.log(`  ${format(phase, await phaseRun(phase, files, bin, warmupSeconds * 1000, seconds * 1000))}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--clients') await clients(process.argv[3], Number(process.argv[4]), process.argv[5], process.argv[6], Number(process.argv[7]), Number(process.argv[8]));
else if (process.argv[1] === SELF) await run();
