// The network baseline controller against a fake API server over TLS: what a cluster ends up with.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { createLeaseElector } from '../../src/audit/index.js';
import { kubeJsonClient } from '../../src/kube/api-request.js';
import type { Leadership } from '../../src/kube/lease.js';
import { NetworkBaselineController } from '../../src/network-baseline/controller.js';
import type { NetworkBaselineConfig } from '../../src/rules/types.js';
import { capturedLogger, makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { startFakeNetworkCluster, type FakeNetworkCluster } from './fake-network-cluster.js';

const BASELINE = ['policygate-allow-dns', 'policygate-default-deny'];

let certs: TestCertificates;
let cluster: FakeNetworkCluster;
const running: NetworkBaselineController[] = [];

beforeAll(async () => {
  certs = await makeTestCertificates();
});
beforeEach(async () => {
  cluster = await startFakeNetworkCluster(certs);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((controller) => controller.stop()));
  await cluster.close();
});
afterAll(() => certs.cleanup?.());

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A leadership switched by the test. */
function switchable(leader: boolean): Leadership & { set(leader: boolean): void } {
  const listeners = new Set<(leader: boolean) => void>();
  let current = leader;
  return {
    isLeader: () => current,
    onChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    set(next) {
      current = next;
      for (const listener of listeners) listener(next);
    },
  };
}

function start(options: { leadership?: Leadership; config?: Partial<NetworkBaselineConfig>; logger?: ReturnType<typeof capturedLogger>['logger'] } = {}) {
  const kubeConfig = cluster.kubeConfig();
  const controller = new NetworkBaselineController({
    kubeConfig,
    client: kubeJsonClient(kubeConfig),
    config: { ...DEFAULT_CONFIG.networkBaseline, enabled: true, ...options.config },
    leadership: options.leadership ?? switchable(true),
    logger: options.logger ?? pino({ level: 'silent' }),
  }).start();
  running.push(controller);
  return controller;
}

/** The names of the NetworkPolicies in a namespace, sorted. */
function policiesIn(namespace: string): string[] {
  return cluster
    .policies()
    .filter((policy) => policy.metadata.namespace === namespace)
    .map((policy) => policy.metadata.name as string)
    .sort();
}

describe('the network baseline controller', () => {
  it('gives every existing namespace the baseline at start, but not the exempt ones', async () => {
    for (const name of ['team-a', 'team-b', 'kube-system', 'policygate']) cluster.addNamespace(name);
    start();
    await until(() => cluster.created.length === 4);
    expect(policiesIn('team-a')).toEqual(BASELINE);
    expect(policiesIn('team-b')).toEqual(BASELINE);
    expect(policiesIn('kube-system')).toEqual([]);
    expect(policiesIn('policygate')).toEqual([]);
    const dns = cluster.policy('team-a', 'policygate-allow-dns');
    expect(dns?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'policygate', 'policygate.dev/network-baseline': 'policygate-allow-dns' });
    expect(dns?.spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    // Every write asks for strict field validation.
    expect(cluster.calls.filter((call) => call.startsWith('POST')).every((call) => call.endsWith('?fieldValidation=Strict'))).toBe(true);
  });

  it('gives a namespace the baseline as soon as it appears, and none to one that is terminating', async () => {
    cluster.addNamespace('team-a');
    start();
    await until(() => cluster.created.length === 2);
    cluster.addNamespace('team-new');
    await until(() => policiesIn('team-new').length === 2);
    expect(policiesIn('team-new')).toEqual(BASELINE);
    cluster.addNamespace('going-away', { terminating: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(policiesIn('going-away')).toEqual([]);
  });

  it('leaves alone a policy of the same name that a user created, and says so once', async () => {
    cluster.addNamespace('team-a');
    const users = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'policygate-allow-dns', namespace: 'team-a', labels: { owner: 'team-a' } }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
    cluster.putPolicy(users);
    const log = capturedLogger();
    start({ logger: log.logger });
    await until(() => cluster.created.length === 1);
    expect(cluster.created).toEqual(['team-a/policygate-default-deny']);
    expect(cluster.policy('team-a', 'policygate-allow-dns')?.spec).toEqual(users.spec);
    expect(cluster.policy('team-a', 'policygate-allow-dns')?.metadata.labels).toEqual({ owner: 'team-a' });
    await until(() => log.lines.some((line) => line.msg === 'network baseline: a NetworkPolicy of this name exists and policygate did not create it; left alone'));
    expect(log.lines.filter((line) => String(line.msg).includes('left alone'))).toEqual([
      expect.objectContaining({ namespace: 'team-a', policy: 'policygate-allow-dns', level: 40 }),
    ]);
    expect(cluster.calls.filter((call) => call.startsWith('PUT'))).toEqual([]);
  });

  it('creates one of its own again when it is deleted', async () => {
    cluster.addNamespace('team-a');
    start();
    await until(() => cluster.created.length === 2);
    cluster.deletePolicy('team-a', 'policygate-default-deny');
    await until(() => cluster.created.length === 3);
    expect(policiesIn('team-a')).toEqual(BASELINE);
  });

  it('with recreateDeleted: false, lets a deleted one stay deleted', async () => {
    cluster.addNamespace('team-a');
    start({ config: { recreateDeleted: false } });
    await until(() => cluster.created.length === 2);
    cluster.deletePolicy('team-a', 'policygate-default-deny');
    cluster.addNamespace('team-a'); // any later event for the namespace
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(policiesIn('team-a')).toEqual(['policygate-allow-dns']);
  });

  it('puts its own policy back to the configuration when someone changes it', async () => {
    cluster.addNamespace('team-a');
    start();
    await until(() => cluster.created.length === 2);
    const current = cluster.policy('team-a', 'policygate-default-deny')!;
    cluster.putPolicy({ ...current, metadata: { ...current.metadata, annotations: { edited: 'by hand' } }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    await until(() => cluster.policy('team-a', 'policygate-default-deny')?.spec.policyTypes.length === 2);
    expect(cluster.policy('team-a', 'policygate-default-deny')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // What the controller does not own is kept.
    expect(cluster.policy('team-a', 'policygate-default-deny')?.metadata.annotations).toEqual({ edited: 'by hand' });
  });

  it('writes nothing while it does not lead, and starts when it becomes the leader', async () => {
    cluster.addNamespace('team-a');
    const leadership = switchable(false);
    start({ leadership });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cluster.calls).toEqual([]);
    leadership.set(true);
    await until(() => cluster.created.length === 2);
    leadership.set(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    cluster.addNamespace('team-b');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(policiesIn('team-b')).toEqual([]);
  });
});

describe('two replicas sharing the Lease', () => {
  it('leadership moves from one to the other, and no policy is created twice', { timeout: 90_000 }, async () => {
    for (const name of ['team-a', 'team-b']) cluster.addNamespace(name);
    const replicas = ['pod-a_1', 'pod-b_1'].map((identity) => {
      const kubeConfig = cluster.kubeConfig();
      const elector = createLeaseElector({
        kubeConfig,
        logger: pino({ level: 'silent' }),
        lease: { namespace: 'policygate', name: 'policygate-audit', identity, leaseDurationSeconds: 6, renewDeadlineMs: 4_000, retryPeriodMs: 100 },
      });
      const controller = start({ leadership: elector });
      elector.start();
      return { elector, controller };
    });
    // Generous waits and lease times: under a loaded machine's CPU starvation a short lease flaps,
    // and then no replica leads for a while; what is asserted is the count of writes, not the speed.
    await until(() => cluster.created.length === 4, 20_000);
    const leader = replicas.find((replica) => replica.elector.isLeader())!;
    const follower = replicas.find((replica) => replica !== leader)!;
    await leader.controller.stop();
    await leader.elector.stop();
    await until(() => follower.elector.isLeader(), 20_000);
    // The new leader knows what exists: a namespace that appears now gets its policies, the others none again.
    cluster.addNamespace('team-c');
    await until(() => policiesIn('team-c').length === 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...cluster.created].sort()).toEqual(['team-a', 'team-b', 'team-c'].flatMap((namespace) => BASELINE.map((name) => `${namespace}/${name}`)).sort());
    expect(cluster.calls.filter((call) => call.startsWith('POST /apis/networking')).length).toBe(6);
    await follower.elector.stop();
  });
});
