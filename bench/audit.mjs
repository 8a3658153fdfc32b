// `policygate audit` of generated clusters of 10,000 pods in 1,000 namespaces and 100,000 pods in 5,000
// namespaces, with their owners (Deployments, ReplicaSets, StatefulSets, CronJobs, Jobs,
// NetworkPolicies), served over HTTPS on 127.0.0.1 by the tests' fake API server (in this process). The
// real CLI runs as a child process, as an operator runs it, timed from spawn to exit, so start-up, paged
// listing, parsing, judging, grouping and printing JSON are all in the figure; its peak RSS is read from
// inside the child at exit.
//
// Baselines in the same run, on the same cluster: the audit's own listing (client-node's transport,
// plain JSON, the same pages, the same heap settings) judging nothing, so that the difference is the
// cost of judging, grouping and printing; Node starting and doing nothing; and, at 10,000 pods, a bare
// client-node loop listing the same objects through its typed list calls (what any audit written on
// them pays).
//
//   npm run bench -- audit                       BENCH_AUDIT_PODS=10000 (or 100000) for one size only
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterObjects, startFakeCluster } from '../test/audit/fake-cluster.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const RUNS = 3;
/** 10 pods per namespace (6 of a Deployment, 2 of a StatefulSet, 1 of a CronJob's Job, 1 bare), and 20. */
const SIZES = [
  { pods: 10_000, namespaces: 1_000, webReplicas: 6, typedBaseline: true },
  { pods: 100_000, namespaces: 5_000, webReplicas: 16, typedBaseline: false },
];
/** The issue's goals (issue 18). */
const GOALS = { peakRssMb: 200, growth: 1.3, judgingShare: 0.5 };

/** Loaded into the child with --import: prints its peak RSS on exit. */
const PEAK_RSS = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write(`\\npeak-rss-kb ${process.resourceUsage().maxRSS}\\n`));")}`;

const LIST_ONLY = `
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.argv[1]);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const batch = kubeConfig.makeApiClient(BatchV1Api);
const networking = kubeConfig.makeApiClient(NetworkingV1Api);
const lists = [
  (page) => core.listNamespace(page),
  (page) => networking.listNetworkPolicyForAllNamespaces(page),
  (page) => batch.listCronJobForAllNamespaces(page),
  (page) => batch.listJobForAllNamespaces(page),
  (page) => apps.listDeploymentForAllNamespaces(page),
  (page) => apps.listReplicaSetForAllNamespaces(page),
  (page) => apps.listStatefulSetForAllNamespaces(page),
  (page) => apps.listDaemonSetForAllNamespaces(page),
  (page) => core.listReplicationControllerForAllNamespaces(page),
  (page) => core.listPodTemplateForAllNamespaces(page),
  (page) => core.listPodForAllNamespaces(page),
];
let objects = 0;
for (const list of lists) {
  let token;
  do {
    const page = await list({ limit: 500, _continue: token });
    objects += page.items.length;
    token = page.metadata?._continue || undefined;
  } while (token);
}
console.log(objects);
`;

/**
 * The audit's own listing (client-node's transport, the same pages, every item parsed into an object as
 * the audit parses it), judging nothing, with the audit command's heap settings: the difference is
 * judging, grouping and reporting.
 */
const RAW_LIST_ONLY = `
const { boundHeap } = await import('./dist/cli/bounded-heap.js');
boundHeap();
const { KubeConfig } = await import('@kubernetes/client-node');
const { AUDITED_RESOURCES, kubeLister, listAll } = await import('./dist/audit/index.js');
const { apiStatusOf } = await import('./dist/kube/api-error.js');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.argv[1]);
const lister = kubeLister(kubeConfig);
let objects = 0;
for (const resource of AUDITED_RESOURCES) {
  try {
    await listAll(lister, resource, {
      page(items) {
        for (const item of items) if (item.metadata !== undefined) objects++;
      },
      restart: () => undefined,
    });
  } catch (error) {
    // A policy CRD the cluster does not serve, as the audit takes it.
    if (!(resource.optional && apiStatusOf(error) === 404)) throw error;
  }
}
console.log(objects);
`;

/** Runs a child to completion without blocking this process (the fake API server lives here). */
function child(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const proc = spawn(NODE, ['--import', PEAK_RSS, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
    const stdout = [];
    const stderr = [];
    proc.stdout.on('data', (chunk) => stdout.push(chunk));
    proc.stderr.on('data', (chunk) => stderr.push(chunk));
    proc.on('error', reject);
    proc.on('close', (status) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const errorText = Buffer.concat(stderr).toString('utf8');
      const rss = /peak-rss-kb (\d+)/.exec(errorText);
      resolve({ ms, status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: errorText, peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN });
    });
  });
}

/** The median run (by wall time) of `RUNS`, with the highest peak RSS of them. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)], peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)), runs };
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (mb) => `${mb.toFixed(0)} MB`;
const n = (value) => value.toLocaleString('en-US');
const met = (ok) => (ok ? 'met' : 'MISSED');

async function measureSize(size, tls) {
  let count = 0;
  let pods = 0;
  const counted = (function* () {
    for (const object of clusterObjects(size)) {
      count++;
      if (object.kind === 'Pod') pods++;
      yield object;
    }
  })();
  const fake = await startFakeCluster(tls, counted);
  const directory = mkdtempSync(join(tmpdir(), 'policygate-bench-audit-'));
  try {
    const kubeconfig = join(directory, 'kubeconfig');
    writeFileSync(kubeconfig, fake.kubeconfig());
    console.log(`${n(pods)} pods in ${n(size.namespaces)} namespaces, ${n(count)} objects with their owners; pages of 500; median of ${RUNS} runs, each a new process`);

    // Interleaved, so that load from elsewhere on the machine falls on both alike.
    const audits = [];
    const listings = [];
    for (let run = 0; run < RUNS; run++) {
      audits.push(await child(['bin/policygate.js', 'audit', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'never']));
      listings.push(await child(['--input-type=module', '-e', RAW_LIST_ONLY, kubeconfig]));
    }
    const audit = median(audits);
    const listing = median(listings);
    if (audit.status !== 0) throw new Error(`policygate audit exited ${audit.status}: ${audit.stderr}`);
    const report = JSON.parse(audit.stdout);
    // Every object is judged but the old ReplicaSet revision (scaled to 0) each namespace keeps.
    if (report.summary.resources !== count - size.namespaces) throw new Error(`expected ${count - size.namespaces} objects judged, got ${report.summary.resources}`);
    if (Number(listing.stdout) !== count) throw new Error(`the listing baseline saw ${listing.stdout.trim()} objects: ${listing.stderr}`);
    const typed = size.typedBaseline ? median([await child(['--input-type=module', '-e', LIST_ONLY, kubeconfig])]) : undefined;
    if (typed && Number(typed.stdout) !== count) throw new Error(`the typed listing baseline saw ${typed.stdout.trim()} objects: ${typed.stderr}`);

    const rate = (ms) => `${n(Math.round((count / ms) * 1000))} objects/s`;
    const { enforced } = report.summary;
    const findings = `${n(report.results.length)} result lines: ${n(enforced.enforce)} enforce, ${n(enforced.warn)} warn, ${n(enforced.audit)} audit as if enforced`;
    const share = (audit.ms - listing.ms) / listing.ms;
    const each = (runs) => runs.map((run) => `${seconds(run.ms)}/${megabytes(run.peakRssMb)}`).join(', ');
    console.log(`  policygate audit --format json       ${seconds(audit.ms).padStart(7)}  ${rate(audit.ms).padEnd(20)} peak RSS ${megabytes(audit.peakRssMb)} (${findings})`);
    console.log(`  baseline: the audit's listing alone   ${seconds(listing.ms).padStart(7)}  ${rate(listing.ms).padEnd(20)} peak RSS ${megabytes(listing.peakRssMb)}`);
    if (typed) console.log(`  baseline: client-node typed lists     ${seconds(typed.ms).padStart(7)}  ${rate(typed.ms).padEnd(20)} peak RSS ${megabytes(typed.peakRssMb)} (one run)`);
    console.log(`  runs (time/peak RSS): audit ${each(audit.runs)}; listing ${each(listing.runs)}`);
    console.log(`  judging and reporting add ${seconds(audit.ms - listing.ms)}, ${(share * 100).toFixed(0)} % of the listing (goal ≤ ${GOALS.judgingShare * 100} %: ${met(share <= GOALS.judgingShare)})`);
    return { size, audit, listing };
  } finally {
    await fake.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function run() {
  const { createCertificateAuthority, issueCertificate } = await import('../dist/certs/index.js');
  const ca = await createCertificateAuthority({ commonName: 'policygate bench CA', days: 1 });
  const serving = await issueCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
  const tls = { cert: serving.cert, key: serving.key, caCert: ca.cert };
  const only = process.env.BENCH_AUDIT_PODS === undefined ? undefined : Number(process.env.BENCH_AUDIT_PODS);
  const results = [];
  for (const size of SIZES) if (only === undefined || size.pods === only) results.push(await measureSize(size, tls));

  const startup = median([await child(['-e', '0'])]);
  console.log(`baseline: node -e 0: peak RSS ${megabytes(startup.peakRssMb)} (process start alone)`);
  const [small, large] = results;
  if (large) console.log(`peak RSS at ${n(large.size.pods)} pods: ${megabytes(large.audit.peakRssMb)} (goal < ${GOALS.peakRssMb} MB: ${met(large.audit.peakRssMb < GOALS.peakRssMb)})`);
  if (small && large) {
    const growth = large.audit.peakRssMb / small.audit.peakRssMb;
    console.log(`peak RSS from ${n(small.size.pods)} to ${n(large.size.pods)} pods: ${growth.toFixed(2)}× (goal ≤ ${GOALS.growth}×: ${met(growth <= GOALS.growth)})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
