// `policygate audit` of a generated cluster of 10,000 pods in 1,000 namespaces (17,000 objects with their
// owners: Deployments, ReplicaSets, StatefulSets, CronJobs, Jobs, NetworkPolicies), served over HTTPS on
// 127.0.0.1 by the tests' fake API server (in this process). The real CLI runs as a child process, as an
// operator runs it, timed from spawn to exit, so start-up, paged listing, parsing, judging, grouping and
// printing JSON are all in the figure; its peak RSS is read from inside the child at exit.
// Baselines in the same run: Node starting and doing nothing; a bare client-node loop listing the same
// objects with the same page size through its typed list calls, judging nothing (what any audit written
// on client-node's list calls pays); and the audit's own listing (client-node's transport, plain JSON)
// judging nothing, so that the difference is the cost of judging, grouping and printing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster, startFakeCluster } from '../test/audit/fake-cluster.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const NAMESPACES = 1_000;
const RUNS = 3;

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

/** The audit's own listing (client-node's transport, plain JSON, same pages), judging nothing. */
const RAW_LIST_ONLY = `
import { KubeConfig } from '@kubernetes/client-node';
import { AUDITED_RESOURCES, kubeLister, listAll } from './dist/audit/index.js';
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.argv[1]);
const lister = kubeLister(kubeConfig);
let objects = 0;
for (const resource of AUDITED_RESOURCES) {
  await listAll(lister, resource, { page: (items) => (objects += items.length), restart: () => undefined });
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

/** The median run (by wall time) of `RUNS`. */
async function median(args) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await child(args));
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (mb) => `${mb.toFixed(0)} MB`;

export async function run() {
  const { createCertificateAuthority, issueCertificate } = await import('../dist/certs/index.js');
  const ca = await createCertificateAuthority({ commonName: 'policygate bench CA', days: 1 });
  const serving = await issueCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
  const objects = generateCluster({ namespaces: NAMESPACES });
  const pods = objects.filter((object) => object.kind === 'Pod').length;
  const fake = await startFakeCluster({ cert: serving.cert, key: serving.key, caCert: ca.cert }, objects);
  const directory = mkdtempSync(join(tmpdir(), 'policygate-bench-audit-'));
  try {
    const kubeconfig = join(directory, 'kubeconfig');
    writeFileSync(kubeconfig, fake.kubeconfig());
    console.log(
      `${objects.length.toLocaleString('en-US')} objects (${pods.toLocaleString('en-US')} pods in ${NAMESPACES.toLocaleString('en-US')} namespaces, with owners) ` +
        `on a fake API server over HTTPS on 127.0.0.1, pages of 500; median of ${RUNS} runs, each a new process`,
    );

    const audit = await median(['bin/policygate.js', 'audit', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'never']);
    if (audit.status !== 0) throw new Error(`policygate audit exited ${audit.status}: ${audit.stderr}`);
    const report = JSON.parse(audit.stdout);
    // Every object is judged but the old ReplicaSet revision (scaled to 0) each namespace keeps.
    if (report.summary.resources !== objects.length - NAMESPACES) throw new Error(`expected ${objects.length - NAMESPACES} objects judged, got ${report.summary.resources}`);
    const listOnly = await median(['--input-type=module', '-e', LIST_ONLY, kubeconfig]);
    if (Number(listOnly.stdout) !== objects.length) throw new Error(`the listing baseline saw ${listOnly.stdout.trim()} objects: ${listOnly.stderr}`);
    const rawListOnly = await median(['--input-type=module', '-e', RAW_LIST_ONLY, kubeconfig]);
    if (Number(rawListOnly.stdout) !== objects.length) throw new Error(`the raw listing baseline saw ${rawListOnly.stdout.trim()} objects: ${rawListOnly.stderr}`);
    const startup = await median(['-e', '0']);

    const rate = (ms) => `${Math.round((objects.length / ms) * 1000).toLocaleString('en-US')} objects/s`;
    const { enforced } = report.summary;
    const n = (value) => value.toLocaleString('en-US');
    const findings = `${n(report.results.length)} result lines: ${n(enforced.enforce)} enforce, ${n(enforced.warn)} warn, ${n(enforced.audit)} audit as if enforced`;
    console.log(`policygate audit --format json       ${seconds(audit.ms).padStart(7)}  ${rate(audit.ms).padEnd(20)} peak RSS ${megabytes(audit.peakRssMb)} (${findings})`);
    console.log(`baseline: client-node typed list loop ${seconds(listOnly.ms).padStart(7)}  ${rate(listOnly.ms).padEnd(20)} peak RSS ${megabytes(listOnly.peakRssMb)}; audit takes ${(audit.ms / listOnly.ms).toFixed(1)}× this`);
    console.log(`baseline: the audit's listing alone   ${seconds(rawListOnly.ms).padStart(7)}  ${rate(rawListOnly.ms).padEnd(20)} peak RSS ${megabytes(rawListOnly.peakRssMb)}; judging and reporting add ${seconds(audit.ms - rawListOnly.ms)}`);
    console.log(`baseline: node -e 0                   ${seconds(startup.ms).padStart(7)}  ${''.padEnd(20)} peak RSS ${megabytes(startup.peakRssMb)} (process start alone)`);
  } finally {
    await fake.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
