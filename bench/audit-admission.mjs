// Admission while the periodic audit runs: the webhook's p99 at 10 connections (the webhook bench's
// client and reviews) with `serve --audit-interval` auditing a cluster of 100,000 pods in 5,000
// namespaces, against the same server without the audit, in the same run; and the server's peak memory
// against the Deployment's memory limit (deploy/).
//
// Three processes: the fake API server (the tests' fake cluster, with the namespaces the reviews name)
// on core 1 at nice 10; the client on core 1 (it preempts the fake server when an answer arrives);
// `policygate serve --kubeconfig` on core 0, alone: admission and the audit's worker thread share one
// core, the strictest case (the Deployment gives the pod more, see the README). The server runs in a
// memory cgroup limited to the Deployment's limit when the machine lets us make one (cgroup v1 or v2,
// as root), so that going over it is an OOM kill, as in a pod; its peak RSS is read from /proc either way.
//
// With the audit, the client starts when the server has become the Lease holder (the scan starts at
// once) and its measured window must end before the scan does: the report says if it did not.
//
//   npm run bench -- audit-admission      BENCH_SECONDS=8 BENCH_WARMUP_SECONDS=2 BENCH_ROUNDS=2
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { clusterObjects, startFakeCluster } from '../test/audit/fake-cluster.mjs';
import { format, freePort, makeReviews, pinned, runClient, waitForTls } from './webhook.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node')) ? join(ROOT, 'node_modules', '.bin', 'node') : process.execPath;
const CLUSTER = { namespaces: 5_000, webReplicas: 16 };
const GOAL_P99_RATIO = 1.5;

// ---------------------------------------------------------------------------------------------
// The fake API server (child process)

async function fakeServer(certFile, keyFile, caFile, kubeconfigFile) {
  const reviewNamespaces = Array.from({ length: 7 }, (_, index) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: `payments-${index}`, uid: `uid-payments-${index}`, labels: { 'kubernetes.io/metadata.name': `payments-${index}`, team: 'payments' } },
  }));
  const objects = (function* () {
    yield* reviewNamespaces;
    yield* clusterObjects(CLUSTER);
  })();
  const fake = await startFakeCluster({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caCert: readFileSync(caFile, 'utf8') }, objects);
  writeFileSync(kubeconfigFile, fake.kubeconfig());
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => fake.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// The memory limit: the Deployment's, enforced by a cgroup where we can make one

/** `256Mi` → bytes. */
function quantity(text) {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(String(text));
  if (!match) throw new Error(`cannot read the memory quantity ${text}`);
  return Number(match[1]) * { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, undefined: 1 }[match[2]];
}

/** The memory limit the periodic-audit component gives the Deployment (else the base's). */
export function deploymentMemoryLimit() {
  const base = parse(readFileSync(join(ROOT, 'deploy/base/deployment.yaml'), 'utf8'));
  let limit = base.spec.template.spec.containers[0].resources.limits.memory;
  const component = parse(readFileSync(join(ROOT, 'deploy/components/periodic-audit/kustomization.yaml'), 'utf8'));
  for (const patch of component.patches ?? []) {
    for (const operation of parse(patch.patch) ?? []) {
      if (operation.path === '/spec/template/spec/containers/0/resources/limits/memory') limit = operation.value;
    }
  }
  return { text: limit, bytes: quantity(limit) };
}

/** A memory cgroup limited to `bytes`, or undefined where none can be made (not root, no cgroup fs). */
function memoryCgroup(bytes) {
  const name = `policygate-bench-${process.pid}-${Date.now()}`;
  const v2 = '/sys/fs/cgroup';
  const v1 = '/sys/fs/cgroup/memory';
  try {
    if (existsSync(`${v2}/cgroup.controllers`) && readFileSync(`${v2}/cgroup.controllers`, 'utf8').includes('memory')) {
      const dir = join(v2, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.max'), String(bytes));
      writeFileSync(join(dir, 'memory.swap.max'), '0');
      return {
        procs: join(dir, 'cgroup.procs'),
        stats() {
          const events = readFileSync(join(dir, 'memory.events'), 'utf8');
          const peak = existsSync(join(dir, 'memory.peak')) ? Number(readFileSync(join(dir, 'memory.peak'), 'utf8')) : Number.NaN;
          return { peakBytes: peak, oomKills: Number(/oom_kill (\d+)/.exec(events)?.[1] ?? 0) };
        },
        remove: () => rmdirSync(dir),
      };
    }
    if (existsSync(`${v1}/memory.limit_in_bytes`)) {
      const dir = join(v1, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
      // No swap to fall back on, as in a pod.
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(bytes));
      return {
        procs: join(dir, 'cgroup.procs'),
        stats() {
          const control = readFileSync(join(dir, 'memory.oom_control'), 'utf8');
          return { peakBytes: Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')), oomKills: Number(/oom_kill (\d+)/.exec(control)?.[1] ?? 0) };
        },
        remove: () => rmdirSync(dir),
      };
    }
  } catch {
    // Not allowed here: the peak RSS is still read, the limit is not enforced.
  }
  return undefined;
}

/** The process's peak RSS (VmHWM) in bytes, from /proc. */
function peakRss(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// One server: start, wait, load, stop

async function measure({ withAudit, files, kubeconfig, limit, warmupMs, durationMs }) {
  const port = await freePort();
  const args = [join(ROOT, 'bin', 'policygate.js'), 'serve', '--tls-cert', files.cert, '--tls-key', files.key, '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', String(port)];
  if (withAudit) args.push('--audit-interval', '1h');
  const cgroup = memoryCgroup(limit.bytes);
  const [command, commandArgs] = pinned(0)(NODE, args);
  // The shell puts itself in the cgroup, then becomes the server: everything the server allocates counts.
  const launch = cgroup ? ['/bin/sh', ['-c', `echo $$ > ${cgroup.procs} && exec "$@"`, 'sh', command, ...commandArgs]] : [command, commandArgs];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', POD_NAME: 'policygate-bench', POD_NAMESPACE: 'policygate' };
  const server = spawn(launch[0], launch[1], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const log = { text: '', leaderAt: undefined, completed: undefined };
  server.stdout.on('data', (chunk) => {
    // Decision lines stream by at thousands a second: only the audit's few lines are looked for.
    const text = chunk.toString('utf8');
    if (log.leaderAt === undefined && text.includes('"became the leader"')) log.leaderAt = Date.now();
    const at = text.indexOf('"msg":"periodic audit completed"');
    if (log.completed === undefined && at !== -1) {
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      log.completed = JSON.parse(text.slice(start, end === -1 ? undefined : end));
    }
  });
  try {
    await waitForTls(port, files.caPem, server, 120_000);
    // Ready: the namespace cache has synced (5,000 namespaces).
    for (const deadline = Date.now() + 120_000; ; ) {
      if (await readyz(port, files.caPem)) break;
      if (Date.now() > deadline) throw new Error('the server never became ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (withAudit) {
      for (const deadline = Date.now() + 60_000; log.leaderAt === undefined; ) {
        if (Date.now() > deadline) throw new Error('the server never became the Lease holder');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const clientStart = Date.now();
    const result = await runClient(port, files, warmupMs, durationMs, server.pid);
    const clientEnd = Date.now();
    let audit;
    if (withAudit) {
      for (const deadline = Date.now() + 30 * 60_000; log.completed === undefined; ) {
        if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}) before the audit completed`);
        if (Date.now() > deadline) throw new Error('the audit did not complete in 30 minutes');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const endedAt = log.completed.time;
      audit = {
        durationMs: log.completed.durationMs,
        objects: log.completed.objects,
        // The measured window: after the warm-up, to the client's end.
        coveredMs: Math.min(endedAt, clientEnd) - (clientStart + warmupMs),
        windowMs: clientEnd - (clientStart + warmupMs),
      };
    }
    const rss = peakRss(server.pid);
    server.kill('SIGTERM');
    const [code, signal] = await once(server, 'exit');
    const memory = cgroup ? cgroup.stats() : undefined;
    return { ...result, audit, peakRssBytes: rss, memory, exit: signal ?? code };
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    cgroup?.remove();
  }
}

async function readyz(port, ca) {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, servername: 'localhost' }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export async function run() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const limit = deploymentMemoryLimit();
  const { writeCertificates } = await import('../dist/certs/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'policygate-bench-admission-'));
  let fake;
  try {
    const written = await writeCertificates({ dir, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 2 });
    const files = { cert: written.cert, key: written.key, ca: written.caCert, caPem: written.caPem, reviews: join(dir, 'reviews.json') };
    writeFileSync(files.reviews, JSON.stringify(makeReviews()));
    const kubeconfig = join(dir, 'kubeconfig');
    const [fakeCommand, fakeArgs] = pinned(1)('/usr/bin/nice', ['-n', '10', NODE, SELF, '--fake-cluster', files.cert, files.key, files.ca, kubeconfig]);
    fake = spawn(fakeCommand, fakeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready = '';
    for await (const chunk of fake.stdout) {
      ready += chunk;
      if (ready.includes('ready\n')) break;
    }
    const probe = memoryCgroup(limit.bytes);
    probe?.remove();
    console.log(
      `POST /validate over 10 keep-alive TLS connections, ${warmupSeconds} s warm-up + ${seconds} s measured; policygate serve --kubeconfig on core 0 alone ` +
        `(admission and the audit's worker share it), the client on core 1, the fake API server (${(CLUSTER.namespaces * (CLUSTER.webReplicas + 4)).toLocaleString('en-US')} pods in ${CLUSTER.namespaces.toLocaleString('en-US')} namespaces) on core 1 at nice 10; ` +
        `memory limit ${limit.text} (deploy/) ${probe ? 'enforced by a memory cgroup' : 'NOT enforced (no memory cgroup could be made): peak RSS only'}`,
    );
    const results = { without: [], with: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const withAudit of [false, true]) {
        const result = await measure({ withAudit, files, kubeconfig, limit, warmupMs: warmupSeconds * 1000, durationMs: seconds * 1000 });
        results[withAudit ? 'with' : 'without'].push(result);
        const memory = `peak RSS ${mb(result.peakRssBytes)}${result.memory ? `, cgroup peak ${mb(result.memory.peakBytes)}, OOM kills ${result.memory.oomKills}` : ''}`;
        const audit = result.audit
          ? `; audit of ${result.audit.objects.toLocaleString('en-US')} objects took ${(result.audit.durationMs / 1000).toFixed(1)} s, ${result.audit.coveredMs >= result.audit.windowMs ? 'running through the whole measured window' : `ENDED ${((result.audit.windowMs - result.audit.coveredMs) / 1000).toFixed(1)} s BEFORE the measured window did`}`
          : '';
        console.log(`  round ${round}  ${withAudit ? 'with audit   ' : 'without audit'} ${format(result)}   ${memory}${audit}`);
      }
    }
    const best = (list) => list.reduce((a, b) => (b.p99 < a.p99 ? b : a));
    const without = best(results.without);
    const withAudit = best(results.with);
    const ratio = withAudit.p99 / without.p99;
    const peak = Math.max(...results.with.map((result) => result.memory?.peakBytes ?? result.peakRssBytes));
    const killed = results.with.some((result) => (result.memory?.oomKills ?? 0) > 0);
    console.log(`best of ${rounds} (lowest p99):`);
    console.log(`  without audit  ${format(without)}`);
    console.log(`  with audit     ${format(withAudit)}`);
    console.log(`  ratio          p99 ${ratio.toFixed(2)}× without (goal ≤ ${GOAL_P99_RATIO}×: ${ratio <= GOAL_P99_RATIO ? 'met' : 'MISSED'})`);
    console.log(`  memory         peak ${mb(peak)} with the audit, limit ${limit.text} (${!killed && peak < limit.bytes ? 'under it' : 'OVER IT'})`);
  } finally {
    if (fake && fake.exitCode === null) {
      fake.kill('SIGTERM');
      await once(fake, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === '--fake-cluster') await fakeServer(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
else if (process.argv[1] === SELF) await run();
