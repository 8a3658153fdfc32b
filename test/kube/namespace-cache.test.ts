// The namespace cache against a fake API server on 127.0.0.1: list, watch, direct reads, failures.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig, NamespaceCache, SERVICE_ACCOUNT_DIR } from '../../src/kube/index.js';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { startFakeApiServer } from './fake-api-server.js';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.cleanup();
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setUp(initial = [{ name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, { name: 'team-b' }]) {
  const api = await startFakeApiServer(certs, initial);
  closers.push(() => api.close());
  const lookups: string[] = [];
  const cache = new NamespaceCache({
    kubeConfig: api.kubeConfig(),
    logger: pino({ level: 'silent' }),
    restartDelayMs: 20,
    readTimeoutMs: 500,
    onLookup: (source, result) => lookups.push(`${source}:${result}`),
  });
  closers.push(() => cache.close());
  return { api, cache, lookups };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NamespaceCache', () => {
  it('lists, then follows the watch: added, modified and deleted namespaces', async () => {
    const { api, cache, lookups } = await setUp();
    expect(cache.synced()).toBe(false);
    await cache.start();
    expect(cache.synced()).toBe(true);
    await until(() => api.openWatches() === 1, 'the watch');
    expect(cache.size()).toBe(2);
    expect(await cache.get('team-a')).toEqual({ name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    expect(lookups).toEqual(['cache:found']);

    api.upsert({ name: 'team-c', labels: { team: 'c' } });
    await until(() => cache.size() === 3, 'the added namespace');
    api.upsert({ name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } });
    await until(() => (cache.get('team-a') as { labels: Record<string, string> }).labels['pod-security.kubernetes.io/enforce'] === 'baseline', 'the modified labels');
    api.remove('team-b');
    await until(() => cache.size() === 2, 'the deleted namespace');
    expect(api.calls.filter((call) => call.startsWith('GET /api/v1/namespaces/'))).toEqual([]);
  });

  it('reads a namespace it does not hold yet directly, once for concurrent lookups', async () => {
    const { api, cache, lookups } = await setUp();
    await cache.start();
    api.readDelayMs = 50;
    // Created without the watch telling: only a direct read can know it.
    api.upsert({ name: 'fresh', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } }, true);
    const reads = await Promise.all([cache.get('fresh'), cache.get('fresh'), cache.get('fresh')]);
    expect(reads).toEqual(Array(3).fill({ name: 'fresh', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } }));
    expect(api.calls.filter((call) => call === 'GET /api/v1/namespaces/fresh')).toHaveLength(1);
    expect(lookups).toEqual(['api:found']);
    // Not kept: the watch is the only source of the cache.
    expect(cache.size()).toBe(2);
  });

  it('throws when the namespace does not exist, the read is refused, or it times out', async () => {
    const { api, cache } = await setUp();
    await cache.start();
    await expect(Promise.resolve(cache.get('missing'))).rejects.toThrow('namespace "missing" not found');
    api.readStatus = 403;
    await expect(Promise.resolve(cache.get('forbidden'))).rejects.toThrow(/reading namespace "forbidden" failed: the API server answered HTTP 403: read refused/);
    api.readStatus = 0;
    api.readDelayMs = 2_000;
    await expect(Promise.resolve(cache.get('slow'))).rejects.toThrow('reading namespace "slow" timed out after 500 ms');
  });

  it('reads directly before the first list, and syncs once the API server recovers', async () => {
    const { api, cache } = await setUp();
    api.failLists(3);
    await cache.start();
    expect(cache.synced()).toBe(false);
    expect(await cache.get('team-a')).toEqual({ name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    await until(() => cache.synced(), 'the sync after failures');
    await until(() => api.openWatches() === 1, 'the watch');
    expect(api.calls.filter((call) => call === 'GET /api/v1/namespaces').length).toBe(4);
    api.upsert({ name: 'later' });
    await until(() => cache.size() === 3, 'an event after recovery');
  });

  it('reconnects when the watch ends, without losing events', async () => {
    const { api, cache } = await setUp();
    await cache.start();
    await until(() => api.openWatches() === 1, 'the watch');
    api.endWatches();
    await until(() => api.openWatches() === 1 && api.calls.filter((call) => call.endsWith('?watch=true')).length === 2, 'a second watch');
    api.upsert({ name: 'after-reconnect' });
    await until(() => cache.size() === 3, 'the event on the new watch');
  });

  it('stops watching on close', async () => {
    const { api, cache } = await setUp();
    await cache.start();
    await until(() => api.openWatches() === 1, 'the watch');
    await cache.close();
    await until(() => api.openWatches() === 0, 'the watch to close');
  });
});

describe('loadClusterConfig', () => {
  it('runs without a cluster when nothing is configured or --no-cluster is given', () => {
    expect(loadClusterConfig({ env: {}, pathPrefix: '/nonexistent' })).toBeUndefined();
    expect(loadClusterConfig({ env: { KUBECONFIG: '/somewhere' }, noCluster: true })).toBeUndefined();
  });

  it('prefers --kubeconfig, then KUBECONFIG', async () => {
    const api = await startFakeApiServer(certs);
    closers.push(() => api.close());
    const file = await api.writeKubeconfig();
    const fromFlag = loadClusterConfig({ kubeconfig: file, env: { KUBECONFIG: '/does/not/exist' } });
    expect(fromFlag?.source).toBe(`--kubeconfig ${file}`);
    expect(fromFlag?.server).toBe(api.url);
    expect(loadClusterConfig({ env: { KUBECONFIG: file } })?.source).toBe(`KUBECONFIG=${file}`);
    expect(() => loadClusterConfig({ kubeconfig: '/does/not/exist', env: {} })).toThrow(/cannot load --kubeconfig \/does\/not\/exist/);
  });

  it('uses the in-cluster service account when KUBERNETES_SERVICE_HOST is set', async () => {
    const prefix = join(certs.dir, 'root');
    await mkdir(join(prefix, SERVICE_ACCOUNT_DIR), { recursive: true });
    await writeFile(join(prefix, SERVICE_ACCOUNT_DIR, 'token'), 'token');
    await writeFile(join(prefix, SERVICE_ACCOUNT_DIR, 'ca.crt'), certs.ca.cert);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    try {
      const config = loadClusterConfig({ env: process.env, pathPrefix: prefix });
      expect(config?.source).toBe('in-cluster service account');
      expect(config?.server).toBe('https://10.0.0.1:443');
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});
