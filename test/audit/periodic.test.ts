// The periodic audit: gauges after each scan (stale series gone), only while leading, never two scans
// at once, survives API errors, stops cleanly; the interval flag's parsing.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { inProcessScans, PeriodicAudit, parseAuditInterval, type ClusterLister, type ScanOutcome } from '../../src/audit/index.js';
import type { Leadership } from '../../src/kube/index.js';
import { DEFAULT_CONFIG, parseConfig } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import type { KubeObject, PolicyConfig } from '../../src/rules/types.js';
import { createMetrics } from '../../src/server/metrics.js';
import { capturedLogger } from '../server/helpers.js';
import { namespace, pod, startTestCluster } from './helpers.js';

/** A lister over objects the test can change between scans; every page call is recorded, with how many ran at once. */
function memoryLister(initial: KubeObject[], delayMs = 0) {
  const state = { objects: initial, calls: [] as string[], active: 0, maxActive: 0 };
  let called: () => void = () => {};
  /** Resolves at the first page call. */
  const firstCall = new Promise<void>((resolve) => (called = resolve));
  const lister: ClusterLister = {
    source: 'memory',
    async listPage(resource) {
      state.calls.push(resource.kind);
      called();
      state.maxActive = Math.max(state.maxActive, ++state.active);
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return { items: structuredClone(state.objects.filter((object) => object.kind === resource.kind)), continueToken: undefined, remainingItemCount: undefined };
      } finally {
        state.active--;
      }
    },
    async readNamespace(name) {
      return state.objects.find((object) => object.kind === 'Namespace' && object.metadata?.name === name);
    },
  };
  return { lister, state, firstCall };
}

/** Leadership the test hands out and takes back. */
function manualLeadership(leader = false): Leadership & { set(leader: boolean): void } {
  const listeners = new Set<(leader: boolean) => void>();
  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      leader = next;
      for (const listener of listeners) listener(next);
    },
  };
}

function scans() {
  const outcomes: ScanOutcome[] = [];
  const waiters: Array<() => void> = [];
  return {
    outcomes,
    onScan(outcome: ScanOutcome) {
      outcomes.push(outcome);
      for (const wake of waiters.splice(0)) wake();
    },
    async next(count: number, timeoutMs = 5_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (outcomes.length < count) {
        if (Date.now() > deadline) throw new Error(`waited for scan ${count}; saw ${outcomes.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  return metrics.registry.metrics();
}

const running: PeriodicAudit[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((audit) => audit.stop()));
});

/** A periodic audit whose scans run in process over `lister`. */
function start({ lister, config, ...options }: Omit<ConstructorParameters<typeof PeriodicAudit>[0], 'scans'> & { lister: ClusterLister; config: PolicyConfig }): PeriodicAudit {
  const audit = new PeriodicAudit({ scans: inProcessScans({ lister, config }), ...options }).start();
  running.push(audit);
  return audit;
}

const silent = pino({ level: 'silent' });
const privilegedIn = (ns: string, name = 'bad') => pod(ns, name, { privileged: true });

describe('PeriodicAudit', () => {
  it('puts each scan into the gauges and drops the series a later scan no longer finds', async () => {
    const { lister, state } = memoryLister([namespace('team-a'), namespace('team-b'), privilegedIn('team-a'), privilegedIn('team-b'), privilegedIn('team-b', 'worse')]);
    const metrics = createMetrics({ audit: true });
    const seen = scans();
    const log = capturedLogger();
    const before = Date.now() / 1000;
    // Pod findings only: the namespaces' missing default-deny (network-isolation) would outlive the fix.
    const config = parseConfig('rules:\n  network-isolation:\n    exemptNamespaces: [team-a, team-b]\n', 'test.yaml');
    start({ lister, config, intervalMs: 100, logger: log.logger, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
    await seen.next(1);
    let text = await scrape(metrics);
    expect(text).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-a",mode="enforce"} 1');
    expect(text).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-b",mode="enforce"} 2');
    expect(text).toContain('policygate_audit_leader 1');
    expect(text).toContain('policygate_audit_errors 0');
    const completed = Number(/^policygate_audit_last_completed_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
    expect(completed).toBeGreaterThanOrEqual(Math.floor(before));
    expect(Number(/^policygate_audit_duration_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    const line = log.lines.find((entry) => entry.msg === 'periodic audit completed');
    expect(line).toMatchObject({ objects: 5, namespaces: 2, errors: 0, findings: { enforce: 3 } });

    // team-a is fixed: its series vanishes at the next scan; team-b's stays.
    state.objects = state.objects.filter((object) => !(object.metadata?.namespace === 'team-a' && object.kind === 'Pod'));
    await seen.next(3);
    text = await scrape(metrics);
    expect(text).not.toContain('namespace="team-a"');
    expect(text).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-b",mode="enforce"} 2');
  });

  it('counts by the mode as if enforced: a finding only warned about today is mode="enforce"', async () => {
    const { lister } = memoryLister([namespace('team-w', { team: 'w', 'policygate.dev/mode': 'warn' }), privilegedIn('team-w')]);
    const metrics = createMetrics({ audit: true });
    const seen = scans();
    // The pod's finding only: the namespace's missing default-deny (network-isolation) is not the subject.
    const config = parseConfig('rules:\n  network-isolation:\n    exemptNamespaces: [team-w]\n', 'test.yaml');
    start({ lister, config, intervalMs: 60_000, logger: silent, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
    await seen.next(1);
    const outcome = seen.outcomes[0];
    expect(outcome?.status === 'completed' && outcome.scan.samples).toEqual([
      { rule: 'pod-security', check: 'privileged', namespace: 'team-w', mode: 'warn', enforcedMode: 'enforce', results: 1, objects: 1 },
    ]);
    expect(await scrape(metrics)).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-w",mode="enforce"} 1');
  });

  it('scans only while leading, at once on becoming the leader, and drops its series when it stops leading', async () => {
    const { lister, state } = memoryLister([namespace('team-a'), privilegedIn('team-a')]);
    const metrics = createMetrics({ audit: true });
    const leadership = manualLeadership(false);
    const seen = scans();
    start({ lister, config: DEFAULT_CONFIG, intervalMs: 50, logger: silent, leadership, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(state.calls).toEqual([]);
    expect(await scrape(metrics)).toContain('policygate_audit_leader 0');

    leadership.set(true);
    await seen.next(2);
    let text = await scrape(metrics);
    expect(text).toContain('policygate_audit_leader 1');
    expect(text).toContain('namespace="team-a"');

    leadership.set(false);
    text = await scrape(metrics);
    expect(text).toContain('policygate_audit_leader 0');
    expect(text).not.toContain('policygate_audit_violations{');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const calls = state.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(state.calls.length).toBe(calls);
  });

  it('throws away a scan that ends after leadership was lost', async () => {
    const { lister, firstCall } = memoryLister([namespace('team-a'), privilegedIn('team-a')], 30);
    const metrics = createMetrics({ audit: true });
    const leadership = manualLeadership(true);
    const seen = scans();
    start({ lister, config: DEFAULT_CONFIG, intervalMs: 60_000, logger: silent, leadership, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
    await firstCall;
    leadership.set(false);
    await seen.next(1);
    expect(seen.outcomes[0]).toEqual({ status: 'discarded', reason: 'this replica stopped being the leader' });
    const text = await scrape(metrics);
    expect(text).not.toContain('policygate_audit_violations{');
    expect(text).not.toMatch(/^policygate_audit_last_completed_timestamp_seconds [1-9]/m);
  });

  it('never runs two scans at once, even when a scan takes longer than the interval', async () => {
    const { lister, state } = memoryLister([namespace('team-a'), privilegedIn('team-a')], 15);
    const seen = scans();
    start({ lister, config: DEFAULT_CONFIG, intervalMs: 1, logger: silent, onScan: seen.onScan });
    await seen.next(3);
    expect(state.maxActive).toBe(1);
    // Each scan lists Namespaces first and Pods last; interleaved scans would break the sequence.
    const perScan = state.calls.indexOf('Pod') + 1;
    expect(perScan).toBeGreaterThan(2);
    const complete = state.calls.slice(0, perScan * 3);
    for (let scan = 0; scan < 3; scan++) expect(complete.slice(scan * perScan, (scan + 1) * perScan)).toEqual(complete.slice(0, perScan));
  });

  it('survives API errors: the failed scan is logged and changes nothing, the next one publishes', async () => {
    const cluster = await startTestCluster([namespace('team-a'), privilegedIn('team-a')]);
    try {
      cluster.fake.fail('/api/v1/namespaces', 500, 1, 'etcd is having a bad day');
      const metrics = createMetrics({ audit: true });
      const seen = scans();
      const log = capturedLogger();
      start({ lister: cluster.lister, config: DEFAULT_CONFIG, intervalMs: 100, logger: log.logger, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
      await seen.next(1);
      expect(seen.outcomes[0]?.status).toBe('failed');
      const failure = log.lines.find((line) => line.msg === 'periodic audit failed; trying again at the next interval');
      expect(failure).toMatchObject({ level: 50, retryInMs: 100 });
      expect(JSON.stringify(failure)).toContain('etcd is having a bad day');
      expect(await scrape(metrics)).not.toContain('policygate_audit_violations{');

      await seen.next(2);
      expect(seen.outcomes[1]?.status).toBe('completed');
      expect(await scrape(metrics)).toContain('policygate_audit_violations{rule="pod-security",check="privileged",namespace="team-a",mode="enforce"} 1');

      // A kind that cannot be listed: published with its error count, logged at warn.
      cluster.fake.fail('/apis/apps/v1/deployments', 403, 1, 'deployments.apps is forbidden');
      await seen.next(3);
      const text = await scrape(metrics);
      expect(text).toContain('policygate_audit_errors 1');
      expect(log.lines.find((line) => line.msg === 'periodic audit completed' && line.errors === 1)).toMatchObject({ level: 40 });
    } finally {
      await cluster.close();
    }
  });

  it('stops promptly in the middle of a scan, and publishes nothing afterwards', async () => {
    const { lister, state, firstCall } = memoryLister([namespace('team-a'), privilegedIn('team-a')], 40);
    const metrics = createMetrics({ audit: true });
    const seen = scans();
    const audit = start({ lister, config: DEFAULT_CONFIG, intervalMs: 60_000, logger: silent, ...(metrics.audit ? { sink: metrics.audit } : {}), onScan: seen.onScan });
    await firstCall;
    const stopping = performance.now();
    await audit.stop();
    expect(performance.now() - stopping).toBeLessThan(500);
    // The page in flight when it stopped was the last.
    const calls = state.calls.length;
    expect(calls).toBe(1);
    expect(seen.outcomes).toEqual([{ status: 'discarded', reason: 'the server is shutting down' }]);
    expect(await scrape(metrics)).not.toContain('policygate_audit_violations{');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(state.calls.length).toBe(calls);
  });
});

describe('parseAuditInterval', () => {
  it.each([
    ['1m', 60_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['24h', 86_400_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseAuditInterval(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10 m', '-5m', '30s', '59s', '25h', '1d', '10m5'])('refuses %j', (text) => {
    expect(() => parseAuditInterval(text)).toThrow(InputError);
  });
});
