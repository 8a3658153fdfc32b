// PolicyReports from an audit: failures only, capped with a summary that counts everything, and
// created, updated (only when they change), deleted against the fake cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { auditObjects, policyReportsOf, PolicyReportWriter, type AuditReport } from '../../src/audit/index.js';
import { parseConfig } from '../../src/config/load.js';
import { kubeJsonClient } from '../../src/kube/index.js';
import type { KubeObject } from '../../src/rules/types.js';
import { capturedLogger } from '../server/helpers.js';
import { namespace, owner, pod, startTestCluster, workload, type TestCluster } from './helpers.js';

const REPORTS = '/apis/wgpolicyk8s.io/v1alpha2';
const NOW = new Date('2026-03-01T12:00:00Z');
const LATER = new Date('2026-03-01T12:10:00Z');

// Pod findings are the subject here; these namespaces have no network policy, so network-isolation
// (judged in test/network-isolation/audit.test.ts) is exempted from them.
const CONFIG = parseConfig('rules:\n  network-isolation:\n    exemptNamespaces: [team-a, team-b, team-c, big, team-cap, team-x]\n', 'test.yaml');

function audit(objects: KubeObject[]): AuditReport {
  return auditObjects(objects, CONFIG, { source: 'test' });
}

describe('policyReportsOf', () => {
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
    const reports = policyReportsOf(report, { now: NOW });
    expect([...reports.keys()]).toEqual(['team-a', 'team-b']);
    const teamA = reports.get('team-a');
    expect(teamA?.metadata).toEqual({ name: 'policygate', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'policygate' } });
    const failures = report.results.filter((result) => result.enforcedMode === 'enforce' && result.namespace === 'team-a');
    expect(teamA?.summary).toEqual({ fail: failures.length });
    expect(teamA?.results.every((result) => result.result === 'fail' && result.source === 'policygate')).toBe(true);
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
    expect(reports.get('team-b')?.results).toEqual([
      expect.objectContaining({ policy: 'namespace-required-labels', resources: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-b' }] }),
    ]);
  });

  it('caps the results per report, keeps counting in the summary, and says how many it left out', () => {
    const objects = [namespace('big'), ...Array.from({ length: 7 }, (_, index) => pod('big', `pod-${index}`, { privileged: true }))];
    const report = audit(objects);
    const capped = policyReportsOf(report, { now: NOW, maxResults: 3 }).get('big');
    expect(capped?.results.map((result) => result.resources[0]?.name)).toEqual(['pod-0', 'pod-1', 'pod-2']);
    expect(capped?.summary.fail).toBe(7);
    expect(capped?.metadata.annotations).toEqual({ 'policygate.dev/omitted-results': '4' });
    expect(policyReportsOf(report, { now: NOW }).get('big')?.results).toHaveLength(7);
  });
});

describe('PolicyReportWriter', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster([]);
  });
  afterAll(async () => {
    await cluster.close();
  });
  const writer = (logger = pino({ level: 'silent' }), maxResults?: number) =>
    new PolicyReportWriter({ client: kubeJsonClient(cluster.kubeConfig), log: logger, ...(maxResults !== undefined ? { maxResults } : {}) });
  const stored = () => cluster.fake.stored('policyreports') as Record<string, { metadata: Record<string, unknown>; summary: { fail: number }; results: Array<{ resources: Array<{ name: string }>; timestamp: { seconds: number } }> }>;
  const writes = () => cluster.fake.calls.filter((call) => !call.startsWith('GET '));

  it('creates, leaves alone, updates and deletes, touching only its own reports', async () => {
    // Someone else's report in team-b, and a report of ours left over in team-gone.
    cluster.fake.add(
      { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: 'kyverno', namespace: 'team-b' }, results: [] } as KubeObject,
      { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: 'policygate', namespace: 'team-gone', labels: { 'app.kubernetes.io/managed-by': 'policygate' } }, results: [] } as KubeObject,
    );
    const objects = [namespace('team-a'), namespace('team-b'), namespace('team-c'), pod('team-a', 'one', { privileged: true }), pod('team-b', 'two', { privileged: true })];
    const first = await writer().write(audit(objects), { now: NOW });
    expect(first).toEqual({ created: 2, updated: 0, unchanged: 0, deleted: 1, failed: 0 });
    expect(Object.keys(stored()).sort()).toEqual(['team-a/policygate', 'team-b/kyverno', 'team-b/policygate']);
    expect(writes().sort()).toEqual([`DELETE ${REPORTS}/namespaces/team-gone/policyreports/policygate`, `POST ${REPORTS}/namespaces/team-a/policyreports`, `POST ${REPORTS}/namespaces/team-b/policyreports`]);

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
    expect(writes().sort()).toEqual([`DELETE ${REPORTS}/namespaces/team-b/policyreports/policygate`, `PUT ${REPORTS}/namespaces/team-a/policyreports/policygate`]);
    const after = stored()['team-a/policygate'];
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.summary).toEqual({ fail: 2 });
    expect(after?.results.map((result) => [result.resources[0]?.name, result.timestamp.seconds])).toEqual([
      ['one', NOW.getTime() / 1000],
      ['three', LATER.getTime() / 1000],
    ]);
    expect(Object.keys(stored()).sort()).toEqual(['team-a/policygate', 'team-b/kyverno']);
  });

  it('writes a capped report with the omitted count, and drops the annotation when the cap no longer bites', async () => {
    const many = [namespace('team-cap'), ...Array.from({ length: 5 }, (_, index) => pod('team-cap', `p${index}`, { privileged: true }))];
    await writer(undefined, 2).write(audit(many), { now: NOW });
    let report = stored()['team-cap/policygate'];
    expect(report?.results).toHaveLength(2);
    expect(report?.summary).toEqual({ fail: 5 });
    expect(report?.metadata.annotations).toEqual({ 'policygate.dev/omitted-results': '3' });

    await writer(undefined, 2).write(audit(many.slice(0, 3)), { now: LATER });
    report = stored()['team-cap/policygate'];
    expect(report?.summary).toEqual({ fail: 2 });
    expect(report?.metadata.annotations).toBeUndefined();
  });

  it('counts and logs a write that fails, and says so when PolicyReports cannot be listed at all', async () => {
    const log = capturedLogger();
    cluster.fake.fail(`${REPORTS}/namespaces/team-x/policyreports`, 403, 1, 'policyreports.wgpolicyk8s.io is forbidden');
    const counts = await writer(log.logger).write(audit([namespace('team-x'), pod('team-x', 'bad', { privileged: true })]), { now: NOW });
    expect(counts?.failed).toBe(1);
    expect(log.lines.find((line) => line.msg === 'some PolicyReports could not be written; the next scan tries again')).toMatchObject({
      failed: 1,
      examples: [expect.stringContaining('team-x: the API server answered HTTP 403: policyreports.wgpolicyk8s.io is forbidden')],
    });

    cluster.fake.fail(`${REPORTS}/policyreports`, 404, 1, 'the server could not find the requested resource');
    expect(await writer(log.logger).write(audit([namespace('team-x')]), { now: NOW })).toBeUndefined();
    expect(log.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('cannot list PolicyReports'))?.msg).toContain('CRD installed?');
  });
});
