// Leader election over a coordination.k8s.io Lease, against the fake cluster: acquire, renew, hand-over
// on release, take-over after expiry, step-down when renewing fails, and one winner of a race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { kubeJsonClient, LeaderElector, type KubeJsonClient } from '../../src/kube/index.js';
import { startTestCluster, type TestCluster } from './helpers.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/policygate/leases';
const silent = pino({ level: 'silent' });
let cluster: TestCluster;
let leaseIndex = 0;

beforeAll(async () => {
  cluster = await startTestCluster([]);
});
afterAll(async () => {
  await cluster.close();
});

/** A client that can be cut off from the API server, as a partitioned pod is. */
function breakable(client: KubeJsonClient): KubeJsonClient & { broken: boolean } {
  const wrapped = {
    server: client.server,
    broken: false,
    request: (...args: Parameters<KubeJsonClient['request']>) => (wrapped.broken ? Promise.reject(new Error('connect ECONNREFUSED')) : client.request(...args)),
  };
  return wrapped;
}

interface Timeline {
  events: Array<{ who: string; leader: boolean; at: number }>;
}

function elector(name: string, identity: string, timeline: Timeline, client: KubeJsonClient = kubeJsonClient(cluster.kubeConfig), timing: { leaseDurationSeconds?: number; renewDeadlineMs?: number; retryPeriodMs?: number } = {}) {
  const result = new LeaderElector({
    client,
    logger: silent,
    namespace: 'policygate',
    name,
    identity,
    leaseDurationSeconds: timing.leaseDurationSeconds ?? 1,
    renewDeadlineMs: timing.renewDeadlineMs ?? 600,
    retryPeriodMs: timing.retryPeriodMs ?? 100,
  });
  result.onChange((leader) => timeline.events.push({ who: identity, leader, at: performance.now() }));
  return result;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Never two leaders at once: every "became" follows the previous leader's "stopped". */
function expectOneLeaderAtATime(timeline: Timeline): void {
  let current: string | undefined;
  for (const event of timeline.events) {
    if (event.leader) {
      expect(current, `${event.who} became leader while ${current} led`).toBeUndefined();
      current = event.who;
    } else if (current === event.who) {
      current = undefined;
    }
  }
}

function freshLeaseName(): string {
  return `lease-${leaseIndex++}`;
}

describe('LeaderElector', () => {
  it('creates the Lease, renews it, and keeps a second replica waiting', async () => {
    const name = freshLeaseName();
    const timeline: Timeline = { events: [] };
    const a = elector(name, 'pod-a_1', timeline).start();
    await until(() => a.isLeader());
    const b = elector(name, 'pod-b_1', timeline).start();
    const first = cluster.fake.stored('leases')[`policygate/${name}`] as { spec: Record<string, unknown> };
    expect(first.spec).toMatchObject({ holderIdentity: 'pod-a_1', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(first.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(cluster.fake.calls).toContain(`POST ${LEASES}`);

    // Two lease durations: A renews throughout, B never takes over.
    await sleep(2_000);
    const renewed = cluster.fake.stored('leases')[`policygate/${name}`] as { spec: Record<string, unknown> };
    expect(renewed.spec.holderIdentity).toBe('pod-a_1');
    expect(Date.parse(renewed.spec.renewTime as string)).toBeGreaterThan(Date.parse(first.spec.renewTime as string));
    expect(renewed.spec.acquireTime).toBe(first.spec.acquireTime);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(timeline.events).toEqual([expect.objectContaining({ who: 'pod-a_1', leader: true })]);
    await b.stop();
    await a.stop();
  }, 10_000);

  it('hands over at once when the leader releases the Lease on shutdown', async () => {
    const name = freshLeaseName();
    const timeline: Timeline = { events: [] };
    const a = elector(name, 'pod-a_2', timeline, undefined, { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 100 }).start();
    await until(() => a.isLeader());
    const b = elector(name, 'pod-b_2', timeline, undefined, { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 100 }).start();
    await sleep(300);
    expect(b.isLeader()).toBe(false);

    const released = performance.now();
    await a.stop();
    expect(a.isLeader()).toBe(false);
    // Well within the 15 s lease: B took the released Lease at its next attempt.
    await until(() => b.isLeader(), 2_000);
    expect(performance.now() - released).toBeLessThan(2_000);
    const lease = cluster.fake.stored('leases')[`policygate/${name}`] as { spec: Record<string, unknown> };
    expect(lease.spec).toMatchObject({ holderIdentity: 'pod-b_2', leaseDurationSeconds: 15, leaseTransitions: 1 });
    expectOneLeaderAtATime(timeline);
    await b.stop();
    expect((cluster.fake.stored('leases')[`policygate/${name}`] as { spec: Record<string, unknown> }).spec.holderIdentity).toBe('');
  });

  it('takes over a Lease its holder stopped renewing, after the holder has stepped down', async () => {
    const name = freshLeaseName();
    const timeline: Timeline = { events: [] };
    const cut = breakable(kubeJsonClient(cluster.kubeConfig));
    const a = elector(name, 'pod-a_3', timeline, cut).start();
    await until(() => a.isLeader());
    const b = elector(name, 'pod-b_3', timeline).start();
    await sleep(300);
    expect(b.isLeader()).toBe(false);

    cut.broken = true;
    const partitioned = performance.now();
    await until(() => b.isLeader(), 5_000);
    // A stepped down after its renew deadline (0.6 s); B waited out the 1 s lease from its last sight of a renewal.
    const stepDown = timeline.events.find((event) => event.who === 'pod-a_3' && !event.leader);
    const takeOver = timeline.events.find((event) => event.who === 'pod-b_3' && event.leader);
    expect(stepDown && takeOver).toBeTruthy();
    expect((stepDown?.at ?? 0) - partitioned).toBeGreaterThanOrEqual(400);
    expect((takeOver?.at ?? 0) - partitioned).toBeGreaterThanOrEqual(800);
    expectOneLeaderAtATime(timeline);

    // A, reconnected, finds B holding the Lease and stays a follower.
    cut.broken = false;
    await sleep(400);
    expect(a.isLeader()).toBe(false);
    expect(b.isLeader()).toBe(true);
    await a.stop();
    await b.stop();
  });

  it('waits out a Lease left behind by a replica that died, then takes it', async () => {
    const name = freshLeaseName();
    const renewTime = new Date().toISOString();
    cluster.fake.add({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'policygate' },
      spec: { holderIdentity: 'pod-dead_0', leaseDurationSeconds: 1, acquireTime: renewTime, renewTime, leaseTransitions: 4 },
    });
    const timeline: Timeline = { events: [] };
    const started = performance.now();
    const a = elector(name, 'pod-a_4', timeline).start();
    await sleep(500);
    expect(a.isLeader()).toBe(false);
    await until(() => a.isLeader(), 3_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((cluster.fake.stored('leases')[`policygate/${name}`] as { spec: Record<string, unknown> }).spec).toMatchObject({ holderIdentity: 'pod-a_4', leaseTransitions: 5 });
    await a.stop();
  });

  it('lets exactly one of several replicas that start together win', async () => {
    const name = freshLeaseName();
    const timeline: Timeline = { events: [] };
    const electors = ['pod-a_5', 'pod-b_5', 'pod-c_5'].map((identity) => elector(name, identity, timeline));
    for (const each of electors) each.start();
    await until(() => electors.some((each) => each.isLeader()));
    await sleep(500);
    expect(electors.filter((each) => each.isLeader())).toHaveLength(1);
    expectOneLeaderAtATime(timeline);
    await Promise.all(electors.map((each) => each.stop()));
  });

  it('keeps trying when the API server fails, and leads once it answers', async () => {
    const name = freshLeaseName();
    cluster.fake.fail(`${LEASES}/${name}`, 500, 3, 'etcd is having a bad day');
    const timeline: Timeline = { events: [] };
    const a = elector(name, 'pod-a_6', timeline).start();
    await until(() => a.isLeader(), 3_000);
    expect(cluster.fake.calls.filter((call) => call === `GET ${LEASES}/${name}`).length).toBeGreaterThanOrEqual(4);
    await a.stop();
  });
});
