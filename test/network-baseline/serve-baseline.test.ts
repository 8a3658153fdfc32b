// `policygate serve` with networkBaseline.enabled against a fake API server: the running webhook keeps
// the baseline, and hands the Lease back on SIGTERM.
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/server/listen.js';
import { captureIO } from '../audit/helpers.js';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { startFakeNetworkCluster, type FakeNetworkCluster } from './fake-network-cluster.js';

let certs: TestCertificates;
let cluster: FakeNetworkCluster;

beforeAll(async () => {
  certs = await makeTestCertificates();
  cluster = await startFakeNetworkCluster(certs);
});
afterAll(async () => {
  await cluster.close();
  await certs.cleanup?.();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('policygate serve with networkBaseline.enabled', () => {
  it('creates the baseline in existing and new namespaces while it holds the Lease', async () => {
    cluster.addNamespace('team-a');
    const kubeconfig = join(certs.dir, 'serve-baseline-kubeconfig.yaml');
    await writeFile(kubeconfig, cluster.kubeConfig().exportConfig());
    const config = join(certs.dir, 'serve-baseline-config.yaml');
    await writeFile(config, 'networkBaseline:\n  enabled: true\n');
    const io = captureIO({ env: { POD_NAME: 'policygate-0', POD_NAMESPACE: 'policygate' } });
    const signals = new EventEmitter();
    let listening: (server: RunningServer) => void = () => {};
    const started = new Promise<RunningServer>((resolve) => (listening = resolve));
    const exit = serve(['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--kubeconfig', kubeconfig, '--config', config, '--port', '0', '--host', '127.0.0.1'], io, {
      signals,
      onListening: listening,
    });
    await Promise.race([started, exit.then(() => Promise.reject(new Error('serve returned before listening')))]);
    try {
      await until(() => cluster.created.length === 2);
      cluster.addNamespace('team-b');
      await until(() => cluster.created.length === 4);
      expect([...cluster.created].sort()).toEqual(['team-a/policygate-allow-dns', 'team-a/policygate-default-deny', 'team-b/policygate-allow-dns', 'team-b/policygate-default-deny']);
    } finally {
      signals.emit('SIGTERM', 'SIGTERM');
    }
    expect(await exit).toBe(0);
    const lines = io.out().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => String(line.msg).startsWith('network baseline: keeping'))).toMatchObject({ policies: ['policygate-default-deny', 'policygate-allow-dns'] });
    expect(lines.filter((line) => line.msg === 'network baseline: created').map((line) => `${line.namespace}/${line.policy}`).sort()).toEqual([...cluster.created].sort());
    expect(lines.find((line) => line.msg === 'stopped being the leader')).toMatchObject({ reason: 'released the Lease on shutdown' });
  });
});
