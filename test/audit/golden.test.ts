// The audit's report on a 10,000-pod cluster with edge cases, compared byte for byte with the golden
// reports made by the code before the audit folded its pages into bounded aggregates (golden/): the
// folding must not change a line. Then the same cluster with continue tokens expiring mid-list in
// several kinds: each restarted kind is counted once, and the report is the golden one plus the notes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCluster, collectionPath, formatAuditJson, formatAuditText, type AuditReport } from '../../src/audit/index.js';
import { DEFAULT_CONFIG, loadConfig } from '../../src/config/load.js';
import { goldenCluster } from './golden/cluster.mjs';
import { GOLDEN_RUNS, normalize } from './golden/runs.mjs';
import { startTestCluster, type TestCluster } from './helpers.js';

const golden = (file: string) => gunzipSync(readFileSync(new URL(`./golden/${file}`, import.meta.url))).toString('utf8');

function render(report: AuditReport, run: (typeof GOLDEN_RUNS)[number]): string {
  return run.format === 'json' ? formatAuditJson(report, run.maxObjects) : formatAuditText(report, { failOn: 'enforce', color: false, maxObjects: run.maxObjects });
}

let cluster: TestCluster;
let report: AuditReport;
/** The audit with each run's configuration file (exceptions.yaml), by file name. */
const configured = new Map<string, AuditReport>();

beforeAll(async () => {
  cluster = await startTestCluster(goldenCluster());
  report = await auditCluster(cluster.lister, DEFAULT_CONFIG);
  for (const config of new Set(GOLDEN_RUNS.flatMap((run) => (run.config !== undefined ? [run.config] : [])))) {
    configured.set(config, await auditCluster(cluster.lister, await loadConfig(fileURLToPath(new URL(`./golden/${config}`, import.meta.url)))));
  }
}, 240_000);
afterAll(() => cluster.close());

describe('the audit of the golden cluster', () => {
  for (const run of GOLDEN_RUNS) {
    it(`is the golden report: policygate audit ${run.args.join(' ')}`, () => {
      const audited = run.config !== undefined ? configured.get(run.config) : report;
      if (!audited) throw new Error(`no audit with ${run.config}`);
      const text = normalize(render(audited, run), cluster.fake.url);
      const expected = golden(run.file);
      // Compared line by line first, so that a difference shows as the first lines that differ.
      const lines = text.split('\n');
      const expectedLines = expected.split('\n');
      const first = lines.findIndex((line, index) => line !== expectedLines[index]);
      expect(first === -1 ? [] : lines.slice(first, first + 5)).toEqual(first === -1 ? [] : expectedLines.slice(first, first + 5));
      expect(text).toBe(expected);
    });
  }
});

describe('continue tokens expiring mid-list (410 Gone) at scale', () => {
  // Without exceptions, and with them: what they excepted is taken back out with its kind too.
  it.each([
    { config: undefined, file: 'audit.json.gz' },
    { config: 'exceptions.yaml', file: 'audit-exceptions.json.gz' },
  ])('restarts each kind from the beginning and counts nothing twice ($file)', async ({ config, file }) => {
    const expected = config !== undefined ? configured.get(config) : report;
    if (!expected) throw new Error(`no audit with ${config}`);
    const before = cluster.fake.calls.length;
    // Pages of 100: Pods have 101 pages, ReplicaSets 21, Namespaces and NetworkPolicies 11. The third
    // request carrying a continue token in each of them answers 410.
    const expiring = ['/api/v1/namespaces', '/apis/networking.k8s.io/v1/networkpolicies', '/apis/apps/v1/replicasets', '/api/v1/pods'];
    const restarted = new Set<string>();
    let countdown = 2;
    let current = 0;
    const lister = {
      ...cluster.lister,
      async listPage(...args: Parameters<typeof cluster.lister.listPage>) {
        const [resource, request] = args;
        const prefix = expiring[current];
        if (prefix !== undefined && request.continueToken !== undefined && collectionPath(resource) === prefix) {
          if (countdown-- === 0) {
            cluster.fake.expireContinues(1, prefix);
            restarted.add(prefix);
            current++;
            countdown = 2;
          }
        }
        return cluster.lister.listPage(...args);
      },
    };
    const restartedReport = await auditCluster(lister, config !== undefined ? await loadConfig(fileURLToPath(new URL(`./golden/${config}`, import.meta.url))) : DEFAULT_CONFIG, { pageSize: 100 });
    expect([...restarted]).toEqual(expiring);
    expect(restartedReport.notes.filter((note) => note.includes('started again from the beginning'))).toEqual([
      expect.stringMatching(/^Listing namespaces started again from the beginning: the continue token expired after 3 page\(s\)/),
      expect.stringMatching(/^Listing networkpolicies\.networking\.k8s\.io started again from the beginning: the continue token expired after 3 page\(s\)/),
      expect.stringMatching(/^Listing replicasets\.apps started again from the beginning: the continue token expired after 3 page\(s\)/),
      expect.stringMatching(/^Listing pods started again from the beginning: the continue token expired after 3 page\(s\)/),
    ]);
    const calls = cluster.fake.calls.slice(before).filter((call) => call.startsWith('GET /api/v1/pods?'));
    // 101 pages, and the 3 seen before the restart (the fourth request was refused).
    expect(calls).toHaveLength(101 + 4);

    const withoutRestartNotes = formatAuditJson({ ...restartedReport, notes: restartedReport.notes.filter((note) => !note.includes('started again')) });
    expect(JSON.parse(normalize(withoutRestartNotes, cluster.fake.url))).toEqual(JSON.parse(golden(file)));
    expect(restartedReport.listed).toEqual(expected.listed);
    expect(restartedReport.summary).toEqual(expected.summary);
    // The network posture forgot what it had of each restarted kind: its pods, namespaces and policies once each.
    expect(restartedReport.network.totals).toEqual(expected.network.totals);
    expect(restartedReport.network).toEqual(expected.network);
  }, 120_000);
});
