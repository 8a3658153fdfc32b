// The periodic audit's reports: failures only, per namespace (the cluster's for cluster-scoped
// objects), OpenReports or PolicyReports with the same content, split into shards that etcd takes, and
// kept in line with each scan against the fake cluster (which refuses, as etcd does, a write over
// 1.5 MiB): created, left alone when unchanged, updated with their first timestamps, shrunk, deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { auditObjects, REPORT_APIS, reportsOf, ReportWriter, SHARD_BYTES, SHARD_RESULTS, type AuditReport, type AuditResult, type ReportApiName } from '../../src/audit/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { testConfig } from '../helpers/config.js';
import { kubeJsonClient } from '../../src/kube/index.js';
import type { KubeObject } from '../../src/rules/types.js';
import { capturedLogger } from '../server/helpers.js';
import { ETCD_REQUEST_LIMIT, type WrittenResource } from './fake-cluster.mjs';
import { namespace, owner, pod, startTestCluster, workload, type TestCluster } from './helpers.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const LATER = new Date('2026-03-01T12:10:00Z');

function audit(objects: KubeObject[]): AuditReport {
  return auditObjects(objects, DEFAULT_CONFIG, { source: 'test' });
}

/** `count` bare privileged pods in `ns`. */
function privilegedPods(ns: string, count: number, prefix = 'batch-worker') {
  return Array.from({ length: count }, (_, index) => pod(ns, `${prefix}-${String(index).padStart(5, '0')}`, { privileged: true }));
}

/**
 * `count` bare pods in `ns` that fail three baseline checks each (privileged, host network, a host
 * path; only the first without `hostAccess`), with `containers` privileged containers named at the
 * 63-character limit and the pod's name made long by `pad`.
 */
function exposedPods(ns: string, count: number, options: { containers?: number; pad?: number; hostAccess?: boolean } = {}): KubeObject[] {
  const host = options.hostAccess ?? true;
  const containers = Array.from({ length: options.containers ?? 1 }, (_, index) => ({
    name: `sidecar-${index}-${'c'.repeat(52)}`.slice(0, 63),
    image: 'registry.example.com/tools:1',
    securityContext: { privileged: true },
  }));
  return Array.from({ length: count }, (_, index) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${'p'.repeat(options.pad ?? 0)}job-${String(index).padStart(5, '0')}`, namespace: ns, uid: `uid-${ns}-${index}` },
    spec: host ? { hostNetwork: true, containers, volumes: [{ name: 'host', hostPath: { path: '/var/run/docker.sock' } }] } : { containers },
  }));
}

describe('reportsOf', () => {
  it('lists only what enforcing would refuse, per namespace, with the field and the mode today', () => {
    const report = audit([
      // Enforces baseline, warns restricted: a pod short of restricted only is a warning even enforced.
      namespace('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loose', namespace: 'team-a' }, spec: { containers: [{ name: 'app', image: 'app' }] } },
      // No `team` label: the Namespace's own failure goes into its own report.
      namespace('team-b', {}),
      workload('apps/v1', 'Deployment', 'team-a', 'web', { privileged: true }),
      pod('team-a', 'web-1', { privileged: true, owner: owner('apps/v1', 'Deployment', 'web') }),
      pod('team-a', 'fine'),
    ]);
    expect(report.results.some((result) => result.enforcedMode !== 'enforce')).toBe(true);
    const reports = reportsOf(report, { api: REPORT_APIS['openreports.io'], now: NOW });
    expect([...reports.keys()]).toEqual(['team-a', 'team-b']);
    const [teamA] = reports.get('team-a') ?? [];
    const failures = report.results.filter((result) => result.enforcedMode === 'enforce' && result.namespace === 'team-a');
    expect(teamA).toMatchObject({
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'Report',
      metadata: { name: 'policygate', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'policygate' } },
      source: 'policygate',
      summary: { fail: failures.length },
    });
    expect(teamA?.results).toContainEqual({
      source: 'policygate',
      policy: 'pod-security',
      rule: 'privileged',
      result: 'fail',
      message: expect.stringContaining('privileged'),
      resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web' }],
      properties: { path: 'spec.template.spec.containers[0].securityContext.privileged', mode: 'enforce', level: 'baseline:latest', owned: 'Pod=1' },
      timestamp: { seconds: NOW.getTime() / 1000, nanos: 0 },
    });
    expect(reports.get('team-b')?.[0]?.results).toEqual([
      expect.objectContaining({ policy: 'namespace-required-labels', resources: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-b' }] }),
    ]);
  });

  it('writes the same content as PolicyReports, but for the kind and the OpenReports source field', () => {
    const report = audit([namespace('team-a'), ...privilegedPods('team-a', 3)]);
    const open = reportsOf(report, { api: REPORT_APIS['openreports.io'], now: NOW }).get('team-a')?.[0];
    const policy = reportsOf(report, { api: REPORT_APIS['wgpolicyk8s.io'], now: NOW }).get('team-a')?.[0];
    expect(policy).toMatchObject({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport' });
    expect(policy).not.toHaveProperty('source');
    const { apiVersion: _a, kind: _k, source: _s, ...openContent } = (open ?? {}) as Record<string, unknown>;
    const { apiVersion: _b, kind: _l, ...policyContent } = policy ?? {};
    expect(openContent).toEqual(policyContent);
  });

  it('puts findings on cluster-scoped objects (but Namespaces) into the cluster report', () => {
    const clusterScoped: AuditResult = {
      ...audit([namespace('team-a'), ...privilegedPods('team-a', 1)]).results[0]!,
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      namespace: null,
      name: 'allow-all',
      enforcedMode: 'enforce',
    };
    const reports = reportsOf({ results: [clusterScoped] }, { api: REPORT_APIS['openreports.io'], now: NOW });
    expect(reports.get('')?.[0]).toMatchObject({ kind: 'ClusterReport', metadata: { name: 'policygate' } });
    expect(reports.get('')?.[0]?.metadata).not.toHaveProperty('namespace');
  });

  it(`shards a namespace at ${SHARD_RESULTS} results: policygate, policygate-2, ..., each summary its own`, () => {
    const report = audit([namespace('busy'), ...privilegedPods('busy', 2 * SHARD_RESULTS + 201)]);
    const shards = reportsOf(report, { api: REPORT_APIS['openreports.io'], now: NOW }).get('busy') ?? [];
    expect(shards.map((shard) => [shard.metadata.name, shard.results.length, shard.summary.fail])).toEqual([
      ['policygate', SHARD_RESULTS, SHARD_RESULTS],
      ['policygate-2', SHARD_RESULTS, SHARD_RESULTS],
      ['policygate-3', 201, 201],
    ]);
    // In the audit's order, each result in one shard.
    const names = shards.flatMap((shard) => shard.results.map((result) => result.resources[0]?.name));
    expect(names).toEqual(report.results.filter((result) => result.namespace === 'busy').map((result) => result.name));
  });

  it("shards by size too: long names and messages never make a report larger than a third of etcd's limit", () => {
    // Sixteen containers at the name limit: every message names them all (cut at 1,024 characters).
    const report = audit([namespace('wordy'), ...exposedPods('wordy', 450, { containers: 16, pad: 230, hostAccess: false })]);
    const shards = reportsOf(report, { api: REPORT_APIS['openreports.io'], now: NOW }).get('wordy') ?? [];
    expect(shards.length).toBeGreaterThan(1);
    for (const shard of shards) {
      expect(shard.results.length).toBeLessThan(SHARD_RESULTS);
      expect(Buffer.byteLength(JSON.stringify(shard.results))).toBeLessThanOrEqual(SHARD_BYTES);
    }
    expect(shards.reduce((sum, shard) => sum + shard.summary.fail, 0)).toBe(450);
  });

  it('keeps at most maxResults per namespace and says on the first shard how many it left out', () => {
    const report = audit([namespace('big'), ...privilegedPods('big', 7)]);
    const [first, ...rest] = reportsOf(report, { api: REPORT_APIS['openreports.io'], now: NOW, maxResults: 3 }).get('big') ?? [];
    expect(rest).toEqual([]);
    expect(first?.results.map((result) => result.resources[0]?.name)).toHaveLength(3);
    expect(first?.summary.fail).toBe(3);
    expect(first?.metadata.annotations).toEqual({ 'policygate.dev/omitted-results': '4' });
  });
});

describe.each(['openreports.io', 'wgpolicyk8s.io'] as ReportApiName[])('ReportWriter (%s)', (apiName) => {
  const api = REPORT_APIS[apiName];
  const resource = api.resource as WrittenResource;
  const REPORTS = `/apis/${api.apiVersion}`;
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster([]);
  });
  afterAll(async () => {
    await cluster.close();
  });
  const writer = (logger = pino({ level: 'silent' }), maxResults?: number) =>
    new ReportWriter({ client: kubeJsonClient(cluster.kubeConfig), log: logger, api, ...(maxResults !== undefined ? { maxResults } : {}) });
  type Stored = {
    metadata: Record<string, unknown>;
    summary: { fail: number; skip?: number };
    results: Array<{ result: string; resources: Array<{ name: string }>; properties: Record<string, string>; timestamp: { seconds: number } }>;
  };
  const stored = () => cluster.fake.stored(resource) as Record<string, Stored>;
  const writes = () => cluster.fake.calls.filter((call) => !call.startsWith('GET '));

  it('creates, leaves alone, updates and deletes, touching only its own reports', async () => {
    // Someone else's report in team-b, and a report of ours left over in team-gone.
    cluster.fake.add(
      { apiVersion: api.apiVersion, kind: api.kind, metadata: { name: 'kyverno', namespace: 'team-b' }, results: [] } as KubeObject,
      { apiVersion: api.apiVersion, kind: api.kind, metadata: { name: 'policygate', namespace: 'team-gone', labels: { 'app.kubernetes.io/managed-by': 'policygate' } }, results: [] } as KubeObject,
    );
    const objects = [namespace('team-a'), namespace('team-b'), namespace('team-c'), pod('team-a', 'one', { privileged: true }), pod('team-b', 'two', { privileged: true })];
    cluster.fake.calls.length = 0;
    expect(await writer().write(audit(objects), { now: NOW })).toEqual({ created: 2, updated: 0, unchanged: 0, deleted: 1, failed: 0 });
    expect(Object.keys(stored()).sort()).toEqual(['team-a/policygate', 'team-b/kyverno', 'team-b/policygate']);
    expect(writes().sort()).toEqual([`DELETE ${REPORTS}/namespaces/team-gone/${resource}/policygate`, `POST ${REPORTS}/namespaces/team-a/${resource}`, `POST ${REPORTS}/namespaces/team-b/${resource}`]);

    // The same findings ten minutes later: nothing is written.
    cluster.fake.calls.length = 0;
    expect(await writer().write(audit(objects), { now: LATER })).toEqual({ created: 0, updated: 0, unchanged: 2, deleted: 0, failed: 0 });
    expect(writes()).toEqual([]);

    // team-a gets a second failure: updated with the resourceVersion read, the first result keeps its timestamp.
    // team-b is fixed: its report goes; Kyverno's stays.
    const before = stored()['team-a/policygate'];
    const changed = [namespace('team-a'), namespace('team-b'), pod('team-a', 'one', { privileged: true }), pod('team-a', 'three', { privileged: true }), pod('team-b', 'two')];
    cluster.fake.calls.length = 0;
    expect(await writer().write(audit(changed), { now: LATER })).toEqual({ created: 0, updated: 1, unchanged: 0, deleted: 1, failed: 0 });
    expect(writes().sort()).toEqual([`DELETE ${REPORTS}/namespaces/team-b/${resource}/policygate`, `PUT ${REPORTS}/namespaces/team-a/${resource}/policygate`]);
    const after = stored()['team-a/policygate'];
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.summary).toEqual({ fail: 2 });
    expect(after?.results.map((result) => [result.resources[0]?.name, result.timestamp.seconds])).toEqual([
      ['one', NOW.getTime() / 1000],
      ['three', LATER.getTime() / 1000],
    ]);
    expect(Object.keys(stored()).sort()).toEqual(['team-a/policygate', 'team-b/kyverno']);
  });

  it("writes a namespace of 1,500 pods failing three checks each in shards etcd takes, where one report would be refused; shrinks them when they clear", async () => {
    const busy = [namespace('busy'), ...exposedPods('busy', 1_500)];
    const report = audit(busy);
    const failures = report.results.filter((result) => result.namespace === 'busy' && result.enforcedMode === 'enforce');
    expect(failures).toHaveLength(4_500);
    // One report with every result would be over what etcd takes.
    const whole = { apiVersion: api.apiVersion, kind: api.kind, metadata: { name: 'policygate', namespace: 'busy' }, results: reportsOf(report, { api, now: NOW }).get('busy')?.flatMap((shard) => shard.results) };
    expect(Buffer.byteLength(JSON.stringify(whole))).toBeGreaterThan(ETCD_REQUEST_LIMIT);

    expect(await writer().write(report, { now: NOW })).toMatchObject({ created: 9, failed: 0 });
    const shards = Object.entries(stored()).filter(([key]) => key.startsWith('busy/'));
    expect(shards.map(([key]) => key).sort()).toEqual(['busy/policygate', ...Array.from({ length: 8 }, (_, index) => `busy/policygate-${index + 2}`)].sort());
    expect(shards.reduce((sum, [, shard]) => sum + shard.summary.fail, 0)).toBe(4_500);
    for (const [, shard] of shards) expect(Buffer.byteLength(JSON.stringify(shard))).toBeLessThan(ETCD_REQUEST_LIMIT / 2);

    // All but the last 100 pods fixed: one shard is left, and the results that moved into it keep their timestamps.
    const kept = new Set(busy.slice(-100).map((object) => object.metadata?.name));
    const fewer = [namespace('busy'), ...busy.slice(1).filter((object) => kept.has(object.metadata?.name)), ...privilegedPods('other', 0)];
    expect(await writer().write(audit(fewer), { now: LATER })).toMatchObject({ updated: 1, deleted: 8, failed: 0 });
    const left = stored()['busy/policygate'];
    expect(left?.summary).toEqual({ fail: 300 });
    expect(new Set(left?.results.map((result) => result.timestamp.seconds))).toEqual(new Set([NOW.getTime() / 1000]));
    expect(Object.keys(stored()).filter((key) => key.startsWith('busy/'))).toEqual(['busy/policygate']);

    // All fixed, or the namespace gone: no report.
    expect(await writer().write(audit([namespace('other')]), { now: LATER })).toMatchObject({ deleted: 1, failed: 0 });
    expect(Object.keys(stored()).filter((key) => key.startsWith('busy/'))).toEqual([]);
  });

  it(`keeps findings on cluster-scoped objects in the ${api.clusterKind}, and deletes it when they clear`, async () => {
    const found = audit([namespace('team-a'), ...privilegedPods('team-a', 1)]).results[0];
    const clusterScoped = { ...found!, apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', namespace: null, name: 'allow-all', enforcedMode: 'enforce' as const };
    const clusterResource = api.clusterResource as WrittenResource;
    expect(await writer().write({ results: [clusterScoped] }, { now: NOW })).toMatchObject({ created: 1, failed: 0 });
    expect(cluster.fake.stored(clusterResource).policygate).toMatchObject({ kind: api.clusterKind, summary: { fail: 1 }, results: [{ resources: [{ kind: 'AdminNetworkPolicy', name: 'allow-all' }] }] });
    expect(await writer().write({ results: [] }, { now: LATER })).toMatchObject({ deleted: 1, failed: 0 });
    expect(cluster.fake.stored(clusterResource)).toEqual({});
  });

  it('writes a capped report with the omitted count, and drops the annotation when the cap no longer bites', async () => {
    const many = [namespace('team-cap'), ...privilegedPods('team-cap', 5)];
    await writer(undefined, 2).write(audit(many), { now: NOW });
    let report = stored()['team-cap/policygate'];
    expect(report?.results).toHaveLength(2);
    expect(report?.summary).toEqual({ fail: 2 });
    expect(report?.metadata.annotations).toEqual({ 'policygate.dev/omitted-results': '3' });

    await writer(undefined, 2).write(audit(many.slice(0, 3)), { now: LATER });
    report = stored()['team-cap/policygate'];
    expect(report?.summary).toEqual({ fail: 2 });
    expect(report?.metadata.annotations).toBeUndefined();
  });

  it('writes what an exception excepts as skip results, in a namespace with no failure too, and fails them once it is gone', async () => {
    const exception = { name: 'batch-privileged', reason: 'OPS-7', match: { namespaces: ['team-skip'] }, checks: ['pod-security/privileged'] };
    const objects = [namespace('team-skip'), ...privilegedPods('team-skip', 2)];
    const excepting = auditObjects(objects, testConfig({ exceptions: [exception] }), { source: 'test' });
    expect(excepting.results.filter((result) => result.enforcedMode === 'enforce')).toEqual([]);
    expect(await writer().write(excepting, { now: NOW })).toMatchObject({ created: 1, failed: 0 });
    const skipped = stored()['team-skip/policygate'];
    expect(skipped?.summary).toEqual({ fail: 0, skip: 2 });
    expect(skipped?.results.map((result) => [result.result, result.resources[0]?.name, result.properties.mode, result.properties.exception])).toEqual([
      ['skip', 'batch-worker-00000', 'excepted', 'batch-privileged'],
      ['skip', 'batch-worker-00001', 'excepted', 'batch-privileged'],
    ]);
    // The exception removed: the same findings are failures, written over the same report.
    expect(await writer().write(audit(objects), { now: LATER })).toMatchObject({ updated: 1, failed: 0 });
    expect(stored()['team-skip/policygate']?.summary).toEqual({ fail: 2 });
  });

  it('counts and logs a write that fails, and says so when the reports cannot be listed at all', async () => {
    const log = capturedLogger();
    cluster.fake.fail(`${REPORTS}/namespaces/team-x/${resource}`, 403, 1, `${resource}.${apiName} is forbidden`);
    const counts = await writer(log.logger).write(audit([namespace('team-x'), pod('team-x', 'bad', { privileged: true })]), { now: NOW });
    expect(counts?.failed).toBe(1);
    expect(log.lines.find((line) => line.msg === `some ${api.kind}s could not be written; the next scan tries again`)).toMatchObject({
      failed: 1,
      examples: [expect.stringContaining(`team-x/policygate: the API server answered HTTP 403: ${resource}.${apiName} is forbidden`)],
    });

    cluster.fake.fail(`${REPORTS}/${resource}`, 404, 1, 'the server could not find the requested resource');
    expect(await writer(log.logger).write(audit([namespace('team-x')]), { now: NOW })).toBeUndefined();
    expect(log.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith(`cannot list ${api.kind}s`))?.msg).toContain(api.crdHint);
  });
});
