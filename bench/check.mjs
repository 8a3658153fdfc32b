// `policygate check` over 10,000 generated documents (pods, deployments, namespaces, network policies,
// a fifth of each kind with findings, checked against the report), run as CI runs it: the real CLI in a child process, timed from spawn
// to exit, so process start, reading, parsing, judging and printing JSON are all in the figure.
// Baselines in the same run: Node starting and doing nothing, and Node starting, reading the same files
// and parsing them with the same YAML parser (the floor for any checker written in Node), plus the
// `yaml` package's parser for comparison.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const DOCUMENTS = 10_000;
const PER_FILE = 20;
const RUNS = 3;

function namespace(i, unlabelled) {
  const labels = [...(unlabelled ? [] : [`team: team-${i}`]), ...(i % 2 === 0 ? ['pod-security.kubernetes.io/enforce: restricted'] : [])];
  return `apiVersion: v1
kind: Namespace
metadata:
  name: team-${i}
  labels:${labels.length > 0 ? labels.map((label) => `\n    ${label}`).join('') : ' {}'}
`;
}

function networkPolicy(i, openToAll) {
  const ingress = openToAll ? '  ingress:\n    - {}\n' : `  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {app: client}\n      ports:\n        - {port: 8080, protocol: TCP}\n`;
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-${i}
  namespace: team-${i % 100}
spec:
  podSelector:
    matchLabels: {app: web-${i}}
  policyTypes: [Ingress]
${ingress}`;
}

function container(i, indent, privileged) {
  const pad = ' '.repeat(indent);
  const security =
    privileged
      ? `${pad}  securityContext:\n${pad}    privileged: true\n`
      : `${pad}  securityContext:\n${pad}    allowPrivilegeEscalation: false\n${pad}    capabilities: {drop: [ALL]}\n${pad}    readOnlyRootFilesystem: true\n`;
  return `${pad}- name: app
${pad}  image: registry.example.com/team/app:1.${i % 10}.0
${pad}  ports:
${pad}    - {containerPort: 8080, name: http}
${pad}  resources:
${pad}    requests: {cpu: 100m, memory: 128Mi}
${pad}    limits: {memory: 256Mi}
${security}${pad}  volumeMounts:
${pad}    - {name: tmp, mountPath: /tmp}
`;
}

function podSpec(i, indent, privileged) {
  const pad = ' '.repeat(indent);
  return `${pad}securityContext:
${pad}  runAsNonRoot: true
${pad}  seccompProfile: {type: RuntimeDefault}
${pad}containers:
${container(i, indent, privileged)}${pad}volumes:
${pad}  - name: tmp
${pad}    emptyDir: {}
`;
}

function pod(i, privileged) {
  return `apiVersion: v1
kind: Pod
metadata:
  name: pod-${i}
  namespace: team-${i % 100}
  labels: {app: web-${i}}
spec:
${podSpec(i, 2, privileged)}`;
}

function deployment(i, privileged) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 100}
  labels: {app: web-${i}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web-${i}}
  template:
    metadata:
      labels: {app: web-${i}}
    spec:
${podSpec(i, 6, privileged)}`;
}

/**
 * 10% namespaces, 10% network policies, 40% pods, 40% deployments, in rows of ten; every fifth row
 * has findings in each of its documents: a namespace without the required `team` label, a network
 * policy open to all, privileged pods and deployments. So a fifth of each kind has findings.
 */
function document(i) {
  const slot = i % 10;
  const row = Math.floor(i / 10);
  const findings = row % 5 === 0;
  let text;
  if (slot === 0) text = namespace(row, findings);
  else if (slot === 1) text = networkPolicy(i, findings);
  else text = slot < 6 ? pod(i, findings) : deployment(i, findings);
  return { text, findings };
}

/** Writes the documents; returns how many of each kind are meant to have findings. */
function generate(directory) {
  const intended = {};
  for (let file = 0; file < DOCUMENTS / PER_FILE; file++) {
    const documents = Array.from({ length: PER_FILE }, (_, k) => document(file * PER_FILE + k));
    for (const { text, findings } of documents) {
      const kind = /^kind: (\w+)$/m.exec(text)[1];
      intended[kind] ??= { documents: 0, withFindings: 0 };
      intended[kind].documents++;
      if (findings) intended[kind].withFindings++;
    }
    writeFileSync(join(directory, `manifests-${String(file).padStart(4, '0')}.yaml`), `---\n${documents.map((document) => document.text).join('---\n')}`);
  }
  return intended;
}

/** Documents (kind/namespace/name) the JSON report has findings for, counted per kind. */
function withFindings(results) {
  const documents = new Map(results.map((result) => [`${result.kind}/${result.namespace}/${result.name}`, result.kind]));
  const counts = {};
  for (const kind of documents.values()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Median wall time of `RUNS` runs of a child process, in ms, with the last run's stdout. */
function time(args) {
  const samples = [];
  let last;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    last = spawnSync(NODE, args, { cwd: ROOT, maxBuffer: 1 << 30, encoding: 'utf8' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (last.error) throw last.error;
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], result: last };
}

const PARSE_ONLY = (parser) => `
const { readdirSync, readFileSync } = await import('node:fs');
const { join } = await import('node:path');
const directory = process.argv[1];
let documents = 0;
${parser === 'js-yaml' ? "const { loadAll } = await import('js-yaml');" : "const { parseAllDocuments } = await import('yaml');"}
for (const name of readdirSync(directory).sort()) {
  const text = readFileSync(join(directory, name), 'utf8');
  ${parser === 'js-yaml' ? 'documents += loadAll(text).filter((doc) => doc !== null).length;' : 'documents += parseAllDocuments(text).map((doc) => doc.toJS()).filter((doc) => doc !== null).length;'}
}
console.log(documents);
`;

const rate = (ms) => `${Math.round((DOCUMENTS / ms) * 1000).toLocaleString('en-US')} documents/s`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

export async function run() {
  const directory = mkdtempSync(join(tmpdir(), 'policygate-bench-check-'));
  try {
    const intended = generate(directory);
    const share = (count) => `${Math.round((count / DOCUMENTS) * 100)}%`;
    const mix = Object.entries(intended)
      .sort(([, a], [, b]) => b.documents - a.documents)
      .map(([kind, { documents }]) => `${share(documents)} ${kind}`)
      .join(', ');
    const intendedTotal = Object.values(intended).reduce((sum, { withFindings }) => sum + withFindings, 0);
    console.log(
      `${DOCUMENTS.toLocaleString('en-US')} documents in ${DOCUMENTS / PER_FILE} files (${mix}; ${share(intendedTotal)} meant to have findings, a fifth of each kind); ` +
        `median of ${RUNS} runs, each a new process`,
    );

    const check = time(['bin/policygate.js', 'check', '--format', 'json', '--fail-on', 'never', directory]);
    if (check.result.status !== 0) throw new Error(`policygate check exited ${check.result.status}: ${check.result.stderr}`);
    const { summary, results } = JSON.parse(check.result.stdout);
    if (summary.resources !== DOCUMENTS) throw new Error(`expected ${DOCUMENTS} resources, got ${summary.resources}`);
    const observed = withFindings(results);
    const observedTotal = Object.values(observed).reduce((sum, count) => sum + count, 0);

    const startup = time(['-e', '0']);
    const jsYaml = time(['--input-type=module', '-e', PARSE_ONLY('js-yaml'), directory]);
    const yaml = time(['--input-type=module', '-e', PARSE_ONLY('yaml'), directory]);
    for (const baseline of [jsYaml, yaml]) {
      if (Number(baseline.result.stdout) !== DOCUMENTS) throw new Error(`baseline parsed ${baseline.result.stdout.trim()} documents: ${baseline.result.stderr}`);
    }

    const findings = `${summary.enforce} enforce, ${summary.warn} warn, ${summary.audit} audit findings`;
    console.log(`policygate check --format json    ${seconds(check.ms).padStart(7)}  ${rate(check.ms)} (${findings})`);
    console.log(`baseline: node -e 0                ${seconds(startup.ms).padStart(7)}  (process start alone)`);
    console.log(`baseline: node + read + js-yaml     ${seconds(jsYaml.ms).padStart(7)}  ${rate(jsYaml.ms)}; check takes ${(check.ms / jsYaml.ms).toFixed(1)}× this (the parser check uses)`);
    console.log(`baseline: node + read + yaml        ${seconds(yaml.ms).padStart(7)}  ${rate(yaml.ms)} (the \`yaml\` package, for comparison)`);
    const perKind = Object.keys(intended)
      .map((kind) => `${observed[kind] ?? 0} of ${intended[kind].documents} ${kind}`)
      .join(', ');
    console.log(`documents with findings             ${observedTotal.toLocaleString('en-US')} (${share(observedTotal)}): ${perKind}`);
    for (const kind of new Set([...Object.keys(intended), ...Object.keys(observed)])) {
      const want = intended[kind]?.withFindings ?? 0;
      if ((observed[kind] ?? 0) !== want) console.log(`  ERROR: ${observed[kind] ?? 0} ${kind} documents with findings; intended ${want}`);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
