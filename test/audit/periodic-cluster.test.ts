// The periodic audit as `serve` runs it: two replicas against one cluster, only the Lease holder scans,
// the other takes over when it stops; and `serve --audit-interval` end to end.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startClusterAudit, type ClusterAudit, type ScanOutcome } from '../../src/audit/index.js';
import { serve } from '../../src/cli/serve.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import type { RunningServer } from '../../src/server/listen.js';
import { createMetrics } from '../../src/server/metrics.js';
import { httpsRequest } from '../server/helpers.js';
import { captureIO, namespace, pod, startTestCluster, type TestCluster } from './helpers.js';

let cluster: TestCluster;
beforeAll(async () => {
  // Each namespace with its default-deny, so that the one finding is the privileged pod's.
  const defaultDeny = (name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: name, uid: `uid-deny-${name}` }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  cluster = await startTestCluster([namespace('team-a'), namespace('team-b'), defaultDeny('team-a'), defaultDeny('team-b'), pod('team-a', 'bad', { privileged: true }), pod('team-b', 'good')]);
});
afterAll(async () => {
  await cluster.close();
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function replica(identity: string) {
  const metrics = createMetrics({ audit: true });
  const scans: ScanOutcome[] = [];
  const audit: ClusterAudit = startClusterAudit({
    kubeConfig: cluster.kubeConfig,
    config: DEFAULT_CONFIG,
    intervalMs: 60_000,
    logger: pino({ level: 'silent' }),
    ...(metrics.audit ? { sink: metrics.audit } : {}),
    policyReports: 'wgpolicyk8s.io',
    lease: { namespace: 'policygate', name: 'two-replicas', identity, leaseDurationSeconds: 2, renewDeadlineMs: 1_500, retryPeriodMs: 100 },
    onScan: (outcome) => scans.push(outcome),
  });
  return { identity, audit, metrics, scans, text: () => metrics.registry.metrics() };
}

describe('two replicas with --audit-interval', () => {
  it('only the Lease holder scans; when it stops, the other takes over and scans', async () => {
    const a = replica('pod-a_x');
    const b = replica('pod-b_x');
    try {
      // A scan starts a worker thread: generous waits, for a loaded machine.
      await until(() => a.scans.length + b.scans.length > 0, 30_000);
      const [leader, follower] = a.audit.elector.isLeader() ? [a, b] : [b, a];
      expect(leader.scans.map((scan) => scan.status)).toEqual(['completed']);
      // Give the follower several attempts: it neither leads nor scans, and exports no violations.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(follower.audit.elector.isLeader()).toBe(false);
      expect(follower.scans).toEqual([]);
      expect(await follower.text()).toContain('policygate_audit_leader 0');
      expect(await follower.text()).not.toContain('policygate_audit_violations{');
      const leaderText = await leader.text();
      expect(leaderText).toContain('policygate_audit_leader 1');
      expect(leaderText).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-a",mode="enforce"} 1');
      expect(Object.keys(cluster.fake.stored('policyreports'))).toEqual(['team-a/policygate']);

      await leader.audit.stop();
      expect(await leader.text()).toContain('policygate_audit_leader 0');
      expect(await leader.text()).not.toContain('policygate_audit_violations{');
      await until(() => follower.scans.length > 0, 30_000);
      expect(follower.scans.map((scan) => scan.status)).toEqual(['completed']);
      expect(await follower.text()).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-a",mode="enforce"} 1');
      expect((cluster.fake.stored('leases')['policygate/two-replicas'] as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe(follower.identity);
      expect(leader.scans).toHaveLength(1);
    } finally {
      await Promise.all([a.audit.stop(), b.audit.stop()]);
    }
  });
});

describe('policygate serve --audit-interval', () => {
  it('refuses the flags without a cluster, with a bad duration, --policy-reports alone, and an unknown report API', async () => {
    const tls = ['--tls-cert', cluster.certs.files.cert, '--tls-key', cluster.certs.files.key, '--port', '0'];
    await expect(serve([...tls, '--no-cluster', '--audit-interval', '10m'], captureIO())).rejects.toThrow(
      new InputError('--audit-interval needs a cluster (--kubeconfig, KUBECONFIG or the in-cluster service account), not --no-cluster'),
    );
    await expect(serve([...tls, '--audit-interval', '10m'], captureIO())).rejects.toThrow('--audit-interval needs a cluster');
    await expect(serve([...tls, '--kubeconfig', cluster.kubeconfigFile, '--audit-interval', '10s'], captureIO())).rejects.toThrow('--audit-interval must be between 1m and 24h (got "10s")');
    await expect(serve([...tls, '--kubeconfig', cluster.kubeconfigFile, '--policy-reports'], captureIO())).rejects.toThrow('--policy-reports needs --audit-interval');
    await expect(serve([...tls, '--kubeconfig', cluster.kubeconfigFile, '--audit-interval', '10m', '--policy-reports-api', 'wgpolicyk8s.io'], captureIO())).rejects.toThrow(
      '--policy-reports-api needs --policy-reports',
    );
    await expect(serve([...tls, '--kubeconfig', cluster.kubeconfigFile, '--audit-interval', '10m', '--policy-reports', '--policy-reports-api', 'kyverno.io'], captureIO())).rejects.toThrow(
      '--policy-reports-api must be one of openreports.io, wgpolicyk8s.io',
    );
  });

  it('scans as the leader into /metrics and the log, and releases the Lease on SIGTERM', async () => {
    const io = captureIO({ env: { POD_NAME: 'policygate-7d9f-abcde', POD_NAMESPACE: 'policygate-system' } });
    const signals = new EventEmitter();
    let listening: (server: RunningServer) => void = () => {};
    const started = new Promise<RunningServer>((resolve) => (listening = resolve));
    const exit = serve(
      ['--tls-cert', cluster.certs.files.cert, '--tls-key', cluster.certs.files.key, '--kubeconfig', cluster.kubeconfigFile, '--port', '0', '--host', '127.0.0.1', '--audit-interval', '10m', '--policy-reports'],
      io,
      { signals, onListening: listening },
    );
    const server = await Promise.race([started, exit.then(() => Promise.reject(new Error('serve returned before listening')))]);
    try {
      const metrics = async () => (await httpsRequest(server.port, { path: '/metrics', tls: { ca: cluster.certs.ca.cert } })).body;
      await until(async () => (await metrics()).includes('policygate_audit_violations{'), 30_000);
      const text = await metrics();
      expect(text).toContain('policygate_audit_leader 1');
      expect(text).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-a",mode="enforce"} 1');
      const lease = cluster.fake.stored('leases')['policygate-system/policygate-audit'] as { spec: { holderIdentity: string } };
      expect(lease.spec.holderIdentity).toMatch(/^policygate-7d9f-abcde_[0-9a-f]{8}$/);
      // OpenReports by default, written once the scan is published; the log line follows the writes.
      await until(() => io.out().includes('"msg":"periodic audit completed"'), 30_000);
      expect(cluster.fake.stored('reports')['team-a/policygate']).toMatchObject({ apiVersion: 'openreports.io/v1alpha1', kind: 'Report', source: 'policygate', summary: { fail: 1 } });
    } finally {
      signals.emit('SIGTERM', 'SIGTERM');
    }
    expect(await exit).toBe(0);
    const lease = cluster.fake.stored('leases')['policygate-system/policygate-audit'] as { spec: { holderIdentity: string } };
    expect(lease.spec.holderIdentity).toBe('');
    const lines = io.out().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === 'periodic audit: scanning while this replica holds the Lease')).toMatchObject({ intervalMs: 600_000, lease: 'policygate-system/policygate-audit', policyReports: 'openreports.io' });
    expect(lines.find((line) => line.msg === 'periodic audit completed')).toMatchObject({ level: 30, errors: 0, findings: { enforce: 1 }, policyReports: { created: 1, failed: 0 } });
    expect(lines.find((line) => line.msg === 'stopped being the leader')).toMatchObject({ reason: 'released the Lease on shutdown' });
  });
});
