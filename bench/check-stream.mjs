// `policygate check` over one large stream, as `kubectl get pods -A -o yaml`-sized CI input or a big
// `helm template` gives it: about 113,000 small pods in 20 MB on standard input (100 Namespaces first, a
// fifth of the pods privileged), run as CI runs it, the real CLI in a child process timed from spawn to
// exit. Reported: objects per second including process start, and the peak RSS, for the text and the
// JSON report, and again with the same pods as files in a directory (where a first pass collects the
// Namespaces). Baseline in the same run: Node reading the same stream and parsing every document with
// the same YAML parser, doing nothing else (the floor for any checker written in Node).
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const PEAK_RSS = join(ROOT, 'bench', 'peak-rss.cjs');
const PODS = 113_000;
const NAMESPACES = 100;
const FILES = 113;
const RUNS = 3;

function namespace(n) {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-${n}\n  labels: {team: t${n}}\n`;
}

function pod(i) {
  return (
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${i}\n  namespace: team-${i % NAMESPACES}\nspec:\n  containers:\n` +
    `    - name: app\n      image: registry.example.com/app:1.${i % 10}\n      securityContext: {privileged: ${i % 5 === 0}}\n`
  );
}

/** The stream, and the same documents as FILES files (Namespaces in the last one, after the pods). */
function generate(directory) {
  const pods = Array.from({ length: PODS }, (_, i) => pod(i));
  const namespaces = Array.from({ length: NAMESPACES }, (_, n) => namespace(n));
  const stream = join(directory, 'pods.yaml');
  writeFileSync(stream, `---\n${[...namespaces, ...pods].join('---\n')}`);
  const files = join(directory, 'files');
  mkdirSync(files);
  const perFile = Math.ceil(PODS / FILES);
  for (let file = 0; file < FILES; file++) {
    writeFileSync(join(files, `pods-${String(file).padStart(3, '0')}.yaml`), `---\n${pods.slice(file * perFile, (file + 1) * perFile).join('---\n')}`);
  }
  writeFileSync(join(files, 'zz-namespaces.yaml'), `---\n${namespaces.join('---\n')}`);
  return { stream, files };
}

/** The last `bytes` of a file: where a report's summary is (the reports run to hundreds of MB). */
function tail(file, bytes = 4096) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Median wall time of RUNS runs of a child process reading `stdinFile`, with the largest peak RSS and
 * the end of the last run's output (written to a file, not held in this process).
 */
function time(args, stdinFile, directory) {
  const samples = [];
  let peak = 0;
  let last;
  const outFile = join(directory, 'out');
  for (let run = 0; run < RUNS; run++) {
    const rssFile = join(directory, `rss-${run}`);
    const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const stdout = openSync(outFile, 'w');
    const start = process.hrtime.bigint();
    last = spawnSync(NODE, ['--require', PEAK_RSS, ...args], { cwd: ROOT, stdio: [stdin, stdout, 'pipe'], encoding: 'utf8', env: { ...process.env, PEAK_RSS_FILE: rssFile } });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (typeof stdin === 'number') closeSync(stdin);
    closeSync(stdout);
    if (last.error) throw last.error;
    peak = Math.max(peak, Number(readFileSync(rssFile, 'utf8')));
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], peakMb: peak / 1024, result: { ...last, stdout: tail(outFile) } };
}

const PARSE_ONLY = `
const { load } = await import('js-yaml');
let objects = 0;
let pending = '';
const parse = (text) => { if (text.trim() !== '' && load(text) != null) objects++; };
process.stdin.setEncoding('utf8');
for await (const piece of process.stdin) {
  pending += piece;
  const parts = pending.split(/^---$/m);
  pending = parts.pop();
  for (const part of parts) parse(part);
}
parse(pending);
console.log(objects);
`;

const OBJECTS = PODS + NAMESPACES;
const rate = (ms) => `${Math.round((OBJECTS / ms) * 1000).toLocaleString('en-US')} objects/s`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (mb) => `${Math.round(mb)} MB`.padStart(7);

export async function run() {
  const directory = mkdtempSync(join(tmpdir(), 'policygate-bench-check-stream-'));
  try {
    const { stream, files } = generate(directory);
    const size = readFileSync(stream).length;
    console.log(
      `${PODS.toLocaleString('en-US')} pods and ${NAMESPACES} Namespaces, ${(size / 1e6).toFixed(1)} MB on standard input (a fifth of the pods privileged); ` +
        `the same as ${FILES + 1} files; median time of ${RUNS} runs from spawn to exit, largest peak RSS`,
    );

    const line = (name, measured, note = '') => console.log(`${name.padEnd(46)} ${seconds(measured.ms).padStart(7)}  ${rate(measured.ms).padStart(18)}  peak RSS ${megabytes(measured.peakMb)}${note}`);
    const startup = time(['-e', '0'], undefined, directory);
    console.log(`${'baseline: node -e 0'.padEnd(46)} ${seconds(startup.ms).padStart(7)}  ${''.padStart(18)}  peak RSS ${megabytes(startup.peakMb)} (process start alone)`);
    const baseline = time(['--input-type=module', '-e', PARSE_ONLY], stream, directory);
    if (Number(baseline.result.stdout) !== OBJECTS) throw new Error(`the baseline parsed ${baseline.result.stdout.trim()} objects: ${baseline.result.stderr}`);
    line('baseline: node + read stdin + js-yaml load', baseline, ' (parse only, each document as it comes)');

    // Each run must have checked what it was given: every object, a fifth of the pods refused (privileged).
    const judged = (name, measured) => {
      if (measured.result.status !== 0) throw new Error(`check (${name}) exited ${measured.result.status}: ${measured.result.stderr}`);
      const summary = JSON.parse(/"summary": (\{[^}]*\})\n\}\n$/.exec(measured.result.stdout)?.[1] ?? 'null') ?? {};
      if (summary.resources !== OBJECTS || summary.enforce !== PODS / 5) throw new Error(`check (${name}) judged ${summary.resources} objects, ${summary.enforce} enforce findings`);
    };
    const text = time(['bin/policygate.js', 'check', '--fail-on', 'never', '-'], stream, directory);
    if (!text.result.stdout.includes(`Checked ${OBJECTS} resources in 1 file: ${PODS / 5} enforce`)) throw new Error(`check (text) wrote: ${text.result.stdout.slice(-300)}`);
    line('policygate check - (text)', text, `; ${(text.ms / baseline.ms).toFixed(1)}× the baseline's time`);
    const json = time(['bin/policygate.js', 'check', '-o', 'json', '--fail-on', 'never', '-'], stream, directory);
    judged('json', json);
    line('policygate check -o json -', json, `; ${(json.ms / baseline.ms).toFixed(1)}× the baseline's time`);
    const directoryRun = time(['bin/policygate.js', 'check', '-o', 'json', '--fail-on', 'never', files], undefined, directory);
    judged('directory', directoryRun);
    line(`policygate check -o json DIR (${FILES + 1} files)`, directoryRun, '; two passes (Namespaces come last)');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
