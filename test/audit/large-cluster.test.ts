// The audit of a generated cluster of 10,000 pods in 1,000 namespaces, with their owners, over HTTPS:
// paging, owner grouping and caps at scale. What the generator seeds is in fake-cluster.mjs; the figures
// below follow from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCluster, compareResults, formatAuditText, type AuditReport } from '../../src/audit/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { generateCluster } from './fake-cluster.mjs';
import { startTestCluster, type TestCluster } from './helpers.js';

const NAMESPACES = 1_000;
const count = (predicate: (i: number) => boolean) => Array.from({ length: NAMESPACES }, (_, i) => i).filter(predicate).length;

let cluster: TestCluster;
let report: AuditReport;
let elapsedMs: number;

beforeAll(async () => {
  cluster = await startTestCluster(generateCluster({ namespaces: NAMESPACES }));
  const started = performance.now();
  report = await auditCluster(cluster.lister, DEFAULT_CONFIG);
  elapsedMs = performance.now() - started;
}, 60_000);
afterAll(() => cluster.close());

describe('a 10,000-pod cluster', () => {
  it('is listed in pages of 500 and judged whole', () => {
    const podCalls = cluster.fake.calls.filter((call) => call.startsWith('GET /api/v1/pods?'));
    expect(podCalls).toHaveLength(20);
    expect(podCalls.slice(1).every((call) => call.includes('&continue='))).toBe(true);
    expect(report.listed).toEqual({ CronJob: 1000, Deployment: 1000, Job: 1000, Namespace: 1000, NetworkPolicy: 1000, Pod: 10_000, ReplicaSet: 2000, StatefulSet: 1000 });
    // Every object but the old ReplicaSet revision of each namespace.
    expect(report.summary.resources).toBe(17_000);
    expect(report.errors).toEqual([]);
    // A few seconds on a shared 2-core machine; the bound only catches a pathological slowdown.
    expect(elapsedMs).toBeLessThan(30_000);
  });

  it('reports pods through their owners: a Deployment with failing pods is one line', () => {
    const kinds = new Set(report.results.map((result) => result.kind));
    expect([...kinds].sort()).toEqual(['Deployment', 'Namespace', 'NetworkPolicy', 'Pod', 'StatefulSet']);
    // Only the bare `debug` pods are reported as pods.
    expect(new Set(report.results.filter((result) => result.kind === 'Pod').map((result) => result.name))).toEqual(new Set(['debug']));

    const privileged = report.results.filter((result) => result.check === 'privileged');
    const ownLines = privileged.filter((result) => result.own);
    // i%7==0: the Deployment's template is privileged; its ReplicaSet and 6 pods (5 where one has a sidecar) fold into it.
    expect(ownLines).toHaveLength(count((i) => i % 7 === 0));
    expect(ownLines.every((result) => result.kind === 'Deployment' && result.path === 'spec.template.spec.containers[0].securityContext.privileged')).toBe(true);
    expect(ownLines.find((result) => result.namespace === 'team-0007')?.owned).toEqual({ Pod: 6, ReplicaSet: 1 });
    // i%11==0: one pod with an injected privileged sidecar differs from its template: a line of its own, under the Deployment.
    const drifted = privileged.filter((result) => !result.own);
    expect(drifted).toHaveLength(count((i) => i % 11 === 0));
    expect(drifted.every((result) => result.kind === 'Deployment' && result.owned.Pod === 1 && result.example?.startsWith('Pod/web-5d8f'))).toBe(true);
  });

  it('answers per rule, check and namespace, with modes today and as if enforced', () => {
    const checks = Object.fromEntries(report.counts.checks.map((entry) => [`${entry.rule}/${entry.check}/${entry.enforcedMode}`, entry]));
    expect(checks['namespace-required-labels/missing-label/enforce']).toMatchObject({
      objects: count((i) => i % 10 === 0),
      // Lowered to warn by policygate.dev/mode where i%50==0.
      now: { enforce: count((i) => i % 10 === 0 && i % 50 !== 0), warn: count((i) => i % 50 === 0), audit: 0, off: 0 },
    });
    expect(checks['network-policy-allow-all/allow-all-ingress/enforce']?.objects).toBe(count((i) => i % 5 === 0));
    // The StatefulSet misses restricted settings: refused where the namespace enforces restricted, a warning elsewhere.
    expect(checks['pod-security/runAsNonRoot/enforce']).toMatchObject({ objects: count((i) => i % 4 === 0), pods: 2 * count((i) => i % 4 === 0) });
    expect(checks['pod-security/runAsNonRoot/warn']).toMatchObject({ objects: count((i) => i % 4 !== 0), now: { warn: count((i) => i % 4 !== 0) } });
    expect(checks['pod-security/hostNamespaces/enforce']).toMatchObject({ objects: count((i) => i % 3 === 0), pods: count((i) => i % 3 === 0) });
    expect(report.counts.namespaces[0]).toEqual({ namespace: 'team-0000', enforce: 12, warn: 0, audit: 0 });
  });

  it('is in the deterministic order: namespace, kind, name, rule, check', () => {
    expect([...report.results].sort(compareResults)).toEqual(report.results);
    expect(report.results[0]).toMatchObject({ namespace: 'team-0000', kind: 'Deployment', name: 'web' });
  });

  it('caps the text per rule and check with an "and N more" line', () => {
    const text = formatAuditText(report, { failOn: 'enforce', color: false, maxObjects: 20 });
    const section = text.split('\n\n').find((block) => block.startsWith('pod-security/hostNamespaces: enforcing would refuse'));
    const objectLines = (section ?? '').split('\n').filter((line) => line.startsWith('  team-'));
    expect(objectLines).toHaveLength(20);
    expect(section).toContain(`  and ${count((i) => i % 3 === 0) - 20} more (--max-objects 0 shows all)`);
    expect(text.split('\n').length).toBeLessThan(1_000);
  });
});
