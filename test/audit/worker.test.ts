// A periodic scan in a worker thread (what `serve --audit-interval` runs): the same findings as in
// process, the API server's errors as they were, a heap limit that fails the scan and not the server,
// a thread that ends when the scan is closed, runs below the main thread's priority, and never loads
// client-node. The worker runs the built code (dist/): npm test builds first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessScans, workerScans, type AuditedScan } from '../../src/audit/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { testConfig } from '../helpers/config.js';
import { kubeTransport } from '../../src/kube/index.js';
import { generateCluster } from './fake-cluster.mjs';
import { startTestCluster, type TestCluster } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const silent = { warn: () => undefined };

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster(generateCluster({ namespaces: 100 }));
});
afterAll(() => cluster.close());

function workerScan(options: Partial<Parameters<typeof workerScans>[0]> = {}) {
  return workerScans({ transport: kubeTransport(cluster.kubeConfig), config: DEFAULT_CONFIG, log: silent, ...options })();
}

const withoutTime = (scan: AuditedScan) => ({ ...scan, elapsedMs: undefined });

describe('a scan in a worker thread', () => {
  it('finds what the same scan finds in process', async () => {
    const inWorker = workerScan();
    const inProcess = inProcessScans({ lister: cluster.lister, config: DEFAULT_CONFIG })();
    try {
      const [worker, local] = await Promise.all([inWorker.audited, inProcess.audited]);
      expect(worker.objects).toBe(1_700);
      expect(worker.samples.length).toBeGreaterThan(100);
      expect(withoutTime(worker)).toEqual(withoutTime(local));
    } finally {
      await Promise.all([inWorker.close(), inProcess.close()]);
    }
  });

  it('has the main thread send its requests when the transport gives no credentials (a cluster behind a proxy)', async () => {
    const transport = kubeTransport(cluster.kubeConfig);
    let relayed = 0;
    const proxied = { server: transport.server, send: (request: Parameters<typeof transport.send>[0]) => (relayed++, transport.send(request)), credentials: async () => undefined };
    const scan = workerScans({ transport: proxied, config: DEFAULT_CONFIG, log: silent })();
    const direct = workerScan();
    try {
      const [viaMain, viaWorker] = await Promise.all([scan.audited, direct.audited]);
      expect(withoutTime(viaMain)).toEqual(withoutTime(viaWorker));
      // Every page of every kind went through the main thread.
      expect(relayed).toBeGreaterThanOrEqual(11);
    } finally {
      await Promise.all([scan.close(), direct.close()]);
    }
  });

  it("judges with the configuration's exceptions, and writes what they excepted as skip results", async () => {
    const exception = { name: 'team-0000-pods', reason: 'OPS-9', match: { namespaces: ['team-0000'] }, checks: ['pod-security/*'] };
    const scan = workerScan({ config: testConfig({ exceptions: [exception] }), reports: { api: 'openreports.io' } });
    try {
      const audited = await scan.audited;
      expect(audited.errors).toBe(0);
      expect(await scan.writeReports?.(new Date('2026-03-01T12:00:00Z'))).toMatchObject({ failed: 0 });
      const stored = cluster.fake.stored('reports') as Record<string, { summary: { fail: number; skip?: number }; results: Array<{ result: string; policy: string; properties: Record<string, string> }> }>;
      const report = stored['team-0000/policygate'];
      expect(report?.summary.skip).toBeGreaterThan(0);
      // What remains failing there is not Pod Security's: the exception took all of it.
      expect(report?.results.filter((result) => result.policy === 'pod-security').every((result) => result.result === 'skip' && result.properties.exception === 'team-0000-pods')).toBe(true);
      expect(stored['team-0007/policygate']?.summary.skip).toBeUndefined();
    } finally {
      await scan.close();
    }
  });

  it("carries the API server's errors across as they were", async () => {
    cluster.fake.fail('/api/v1/namespaces', 500, 1, 'etcd is having a bad day');
    const failing = workerScan();
    try {
      await expect(failing.audited).rejects.toThrow(`cannot list namespaces from ${cluster.fake.url}: the API server answered HTTP 500: etcd is having a bad day`);
    } finally {
      await failing.close();
    }
    cluster.fake.fail('/apis/apps/v1/deployments', 403, 1, 'deployments.apps is forbidden');
    const partial = workerScan();
    try {
      expect((await partial.audited).firstErrors).toEqual(['/apis/apps/v1/deployments: cannot list deployments.apps: the API server answered HTTP 403: deployments.apps is forbidden']);
    } finally {
      await partial.close();
    }
  });

  it('fails the scan, not the process, when its heap limit is reached', async () => {
    const starved = workerScan({ resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 4 } });
    try {
      await expect(starved.audited).rejects.toThrow("the audit ran out of memory: its worker thread's heap is limited to 4 MB");
    } finally {
      await starved.close();
    }
  });

  it('ends its thread at once when the scan is closed, its requests abandoned', async () => {
    cluster.fake.delayMs = 200;
    try {
      const scan = workerScan();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = performance.now();
      await scan.close();
      expect(performance.now() - closing).toBeLessThan(150);
      await expect(scan.audited).rejects.toThrow('the audit was stopped');
    } finally {
      cluster.fake.delayMs = 0;
    }
  });

  it.skipIf(process.platform !== 'linux')('runs below the main thread: its nice value is 19, the main thread keeps its own', async () => {
    cluster.fake.delayMs = 100;
    const niceOf = () =>
      readdirSync('/proc/self/task').map((task) => {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
        return { name: readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim(), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
      });
    const before = niceOf();
    const calls = cluster.fake.calls.length;
    const scan = workerScan({ lowPriority: true });
    try {
      // Once the scan's first request is out, the thread has lowered its priority.
      const deadline = Date.now() + 10_000;
      while (cluster.fake.calls.length === calls && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const during = niceOf();
      const workers = (threads: typeof before) => threads.filter((thread) => thread.name === 'WorkerThread');
      expect(workers(during).length).toBe(workers(before).length + 1);
      expect(workers(during).filter((thread) => thread.nice === 19)).toHaveLength(1);
      const main = (threads: typeof before) => threads.find((thread) => thread.name === 'MainThread')?.nice;
      expect(main(during)).toBe(main(before));
      expect(main(during)).not.toBe(19);
    } finally {
      cluster.fake.delayMs = 0;
      await scan.close();
    }
  });
});

describe("the worker thread's code", () => {
  it('never loads client-node (about 85 MB per thread that does): its imports, followed through dist/, stay clear of it', () => {
    const entry = join(ROOT, 'dist', 'audit', 'worker', 'entry.js');
    expect(existsSync(entry)).toBe(true);
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      // Compiled JavaScript: `import type` is gone, what is left is loaded.
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm)) {
        const specifier = match[1] ?? match[2] ?? match[3] ?? '';
        if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
        else packages.add(specifier);
      }
    };
    visit(entry);
    expect(seen.size).toBeGreaterThan(20);
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual([]);
  });
});
