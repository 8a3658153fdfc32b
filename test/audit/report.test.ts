// The audit's pure core on objects in hand: owner grouping, paths moved into templates, the deterministic
// order, counts, caps, the metrics' view, the exit code, and the two formats.
import { describe, expect, it } from 'vitest';
import {
  AuditCollector,
  auditExitCode,
  auditObjects,
  capResults,
  compareResults,
  formatAuditJson,
  formatAuditText,
  summarize,
  type AuditReport,
} from '../../src/audit/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { KubeObject } from '../../src/rules/types.js';
import { namespace, owner, pod, workload } from './helpers.js';

const deployment = owner('apps/v1', 'Deployment', 'web');
const replicaSet = owner('apps/v1', 'ReplicaSet', 'web-abc');
const cronJob = owner('batch/v1', 'CronJob', 'nightly');
const job = owner('batch/v1', 'Job', 'nightly-1');

/** A namespace with a privileged Deployment (RS, 3 pods), an old revision, a CronJob → Job → pod, and a bare pod. */
function teamObjects(name: string, options: { privileged?: boolean } = {}): KubeObject[] {
  const privileged = options.privileged ?? true;
  return [
    namespace(name),
    workload('apps/v1', 'Deployment', name, 'web', { privileged, replicas: 3 }),
    workload('apps/v1', 'ReplicaSet', name, 'web-abc', { privileged, owner: deployment, replicas: 3 }),
    workload('apps/v1', 'ReplicaSet', name, 'web-old', { privileged: true, owner: deployment, replicas: 0 }),
    pod(name, 'web-abc-1', { privileged, owner: replicaSet }),
    pod(name, 'web-abc-2', { privileged, owner: replicaSet }),
    pod(name, 'web-abc-3', { privileged, owner: replicaSet }),
    workload('batch/v1', 'CronJob', name, 'nightly', { privileged: true }),
    workload('batch/v1', 'Job', name, 'nightly-1', { privileged: true, owner: cronJob }),
    pod(name, 'nightly-1-x', { privileged: true, owner: job }),
    pod(name, 'debug', { privileged: true }),
  ];
}

// These tests are about the report's grouping, order, counts and formats, on objects with no network
// policies: network-isolation (every namespace here lacks a default-deny, which the audit, raising
// every rule to enforce, would report) is judged in test/network-isolation/audit.test.ts.
const WITHOUT_NETWORK = 'rules:\n  network-isolation:\n    exemptNamespaces: [team-a, team-b, team-c, team-gone, team-w]\n';
const CONFIG = parseConfig(WITHOUT_NETWORK, 'test.yaml');
const audit = (objects: KubeObject[], config = CONFIG) => auditObjects(objects, config, { source: 'test' });

const lines = (report: AuditReport) =>
  report.results.map((result) => `${result.namespace ?? '-'} ${result.kind}/${result.name} ${result.rule}/${result.check} ${result.mode}->${result.enforcedMode} own=${result.own} ${JSON.stringify(result.owned)}`);

describe('owner grouping', () => {
  it('reports pods and ReplicaSets through their Deployment, Jobs and their pods through their CronJob', () => {
    const report = audit(teamObjects('team-a'));
    expect(lines(report)).toEqual([
      'team-a CronJob/nightly pod-security/privileged enforce->enforce own=true {"Job":1,"Pod":1}',
      'team-a Deployment/web pod-security/privileged enforce->enforce own=true {"Pod":3,"ReplicaSet":1}',
      'team-a Pod/debug pod-security/privileged enforce->enforce own=true {}',
    ]);
    expect(report.results.map((result) => result.path)).toEqual([
      'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged',
      'spec.template.spec.containers[0].securityContext.privileged',
      'spec.containers[0].securityContext.privileged',
    ]);
    expect(report.results[1]?.file).toBe('/apis/apps/v1/namespaces/team-a/deployments/web');
  });

  it('does not judge an old revision (a ReplicaSet its Deployment scaled to 0), and says so', () => {
    const report = audit(teamObjects('team-a', { privileged: false }));
    expect(lines(report)).not.toContainEqual(expect.stringContaining('web-old'));
    expect(report.results.filter((result) => result.kind === 'Deployment')).toEqual([]);
    expect(report.notes).toContainEqual(expect.stringContaining('1 ReplicaSet(s) scaled to 0'));
    // 11 listed, the old revision not judged.
    expect(report.summary.resources).toBe(10);
  });

  it('keeps a pod that differs from its template as a line of its own, still under the owner', () => {
    const objects = [
      namespace('team-a'),
      workload('apps/v1', 'Deployment', 'team-a', 'web', {}),
      workload('apps/v1', 'ReplicaSet', 'team-a', 'web-abc', { owner: deployment }),
      pod('team-a', 'web-abc-2', { sidecar: true, owner: replicaSet }),
      pod('team-a', 'web-abc-1', { sidecar: true, owner: replicaSet }),
      pod('team-a', 'web-abc-3', { owner: replicaSet }),
    ];
    const [result, ...rest] = audit(objects).results;
    expect(rest).toEqual([]);
    expect(result).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      check: 'privileged',
      own: false,
      owned: { Pod: 2 },
      example: 'Pod/web-abc-1',
      // The sidecar's field, in the Deployment's template.
      path: 'spec.template.spec.containers[1].securityContext.privileged',
    });
  });

  it('stops at the last listed owner, and reports an object whose owner was not listed as itself', () => {
    const objects = [
      namespace('team-a'),
      workload('apps/v1', 'ReplicaSet', 'team-a', 'web-abc', { privileged: true, owner: deployment }),
      pod('team-a', 'web-abc-1', { privileged: true, owner: replicaSet }),
      pod('team-a', 'static', { privileged: true, owner: owner('v1', 'Node', 'node-1') }),
    ];
    expect(lines(audit(objects))).toEqual([
      'team-a Pod/static pod-security/privileged enforce->enforce own=true {}',
      'team-a ReplicaSet/web-abc pod-security/privileged enforce->enforce own=true {"Pod":1}',
    ]);
  });

  it('does not follow an owner reference into another namespace', () => {
    const objects = [
      namespace('team-a'),
      namespace('team-b'),
      workload('apps/v1', 'ReplicaSet', 'team-a', 'web-abc', { privileged: true }),
      { ...pod('team-b', 'stray', { privileged: true }), metadata: { name: 'stray', namespace: 'team-b', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-team-a-ReplicaSet-web-abc', controller: true }] } },
    ];
    expect(lines(audit(objects))).toEqual([
      'team-a ReplicaSet/web-abc pod-security/privileged enforce->enforce own=true {}',
      'team-b Pod/stray pod-security/privileged enforce->enforce own=true {}',
    ]);
  });
});

describe('a kind listed again from the beginning', () => {
  it('forgets everything the first listing of that kind left: counts, findings, owners, notes', () => {
    const collector = new AuditCollector(CONFIG, { source: 'test' });
    collector.add(namespace('team-a'));
    const firstListing = [
      workload('apps/v1', 'ReplicaSet', 'team-a', 'web-old', { privileged: true, owner: deployment, replicas: 0 }),
      workload('apps/v1', 'ReplicaSet', 'team-a', 'web-abc', { privileged: true }),
      pod('team-gone', 'stray', { privileged: true }),
    ];
    for (const object of firstListing) collector.add(object);
    collector.discard('apps/v1', 'ReplicaSet');
    collector.discard('v1', 'Pod');
    for (const object of firstListing) collector.add(object);
    collector.add(pod('team-a', 'web-abc-1', { privileged: true, owner: replicaSet }));
    const report = collector.finish();
    expect(report.listed).toEqual({ Namespace: 1, Pod: 2, ReplicaSet: 2 });
    expect(report.summary.resources).toBe(4);
    expect(lines(report)).toEqual([
      'team-a ReplicaSet/web-abc pod-security/privileged enforce->enforce own=true {"Pod":1}',
      'team-gone Pod/stray pod-security/privileged enforce->enforce own=true {}',
    ]);
    expect(report.notes).toEqual([
      '1 ReplicaSet(s) scaled to 0 by their Deployment (old revisions kept for rollback) were not judged.',
      '1 object(s) in namespaces that were not listed (team-gone) were judged with the configured Pod Security defaults.',
    ]);
  });
});

describe('order, counts and caps', () => {
  const objects = [
    ...teamObjects('team-b'),
    ...teamObjects('team-a'),
    namespace('team-c', {}),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'team-c' }, spec: { podSelector: {}, ingress: [{}] } },
  ];

  it('orders results by namespace, kind, name, rule, check, whatever the input order', () => {
    const report = audit(objects);
    const reversed = audit([...objects].reverse());
    expect(reversed.results).toEqual(report.results);
    expect([...report.results].sort(compareResults)).toEqual(report.results);
    expect(report.results.map((result) => `${result.namespace ?? result.name}/${result.kind}/${result.name}`)).toEqual([
      'team-a/CronJob/nightly',
      'team-a/Deployment/web',
      'team-a/Pod/debug',
      'team-b/CronJob/nightly',
      'team-b/Deployment/web',
      'team-b/Pod/debug',
      // A Namespace sorts under its own name, and has no namespace.
      'team-c/Namespace/team-c',
      'team-c/NetworkPolicy/open',
    ]);
  });

  it('counts per rule and check, and per namespace', () => {
    const report = audit(objects);
    expect(report.counts.checks).toEqual([
      { rule: 'namespace-required-labels', check: 'missing-label', enforcedMode: 'enforce', results: 1, objects: 1, pods: 0, namespaces: 1, now: { enforce: 1, warn: 0, audit: 0, off: 0 } },
      { rule: 'network-policy-allow-all', check: 'allow-all-ingress', enforcedMode: 'enforce', results: 1, objects: 1, pods: 0, namespaces: 1, now: { enforce: 1, warn: 0, audit: 0, off: 0 } },
      { rule: 'pod-security', check: 'privileged', enforcedMode: 'enforce', results: 6, objects: 6, pods: 10, namespaces: 2, now: { enforce: 6, warn: 0, audit: 0, off: 0 } },
    ]);
    expect(report.counts.namespaces).toEqual([
      { namespace: 'team-a', enforce: 3, warn: 0, audit: 0 },
      { namespace: 'team-b', enforce: 3, warn: 0, audit: 0 },
      { namespace: 'team-c', enforce: 2, warn: 0, audit: 0 },
    ]);
    expect(report.summary).toEqual({ files: 0, resources: 22, enforce: 8, warn: 0, audit: 0, off: 0, excepted: 0, enforced: { enforce: 8, warn: 0, audit: 0 }, errors: 0 });
  });

  it('caps per rule, check and enforced mode, and says what it left out', () => {
    const report = audit(objects);
    const capped = capResults(report.results, 2);
    expect(capped.results.filter((result) => result.check === 'privileged').map((result) => `${result.namespace}/${result.name}`)).toEqual(['team-a/nightly', 'team-a/web']);
    expect(capped.omitted).toEqual([{ rule: 'pod-security', check: 'privileged', enforcedMode: 'enforce', results: 4 }]);
    expect(capResults(report.results, undefined).results).toHaveLength(8);
  });

  it('summarizes for metrics by rule, check, namespace and both modes', () => {
    const config = parseConfig(`${WITHOUT_NETWORK}  pod-security:\n    mode: warn\n`, 'test.yaml');
    expect(summarize(audit(objects, config))).toEqual([
      { rule: 'namespace-required-labels', check: 'missing-label', namespace: 'team-c', mode: 'enforce', enforcedMode: 'enforce', results: 1, objects: 1 },
      { rule: 'network-policy-allow-all', check: 'allow-all-ingress', namespace: 'team-c', mode: 'enforce', enforcedMode: 'enforce', results: 1, objects: 1 },
      { rule: 'pod-security', check: 'privileged', namespace: 'team-a', mode: 'warn', enforcedMode: 'enforce', results: 3, objects: 9 },
      { rule: 'pod-security', check: 'privileged', namespace: 'team-b', mode: 'warn', enforcedMode: 'enforce', results: 3, objects: 9 },
    ]);
  });
});

describe('exit code', () => {
  const warnOnly = parseConfig(`${WITHOUT_NETWORK}  pod-security:\n    mode: warn\n`, 'test.yaml');
  const report = audit(teamObjects('team-a'), warnOnly);

  it('judges --fail-on against the mode as if enforced, not the mode today', () => {
    expect(report.summary.warn).toBe(3);
    expect(report.summary.enforced.enforce).toBe(3);
    expect(auditExitCode(report, 'enforce')).toBe(1);
    expect(auditExitCode(report, 'warn')).toBe(1);
    expect(auditExitCode(report, 'never')).toBe(0);
    expect(auditExitCode(audit([namespace('team-a')]), 'audit')).toBe(0);
  });

  it('is 2 with any error', () => {
    expect(auditExitCode({ ...report, errors: [{ file: '/api/v1/pods', message: 'cannot list pods' }] }, 'never')).toBe(2);
  });
});

describe('formats', () => {
  const objects = [...teamObjects('team-a'), ...teamObjects('team-b'), ...teamObjects('team-c')];
  const report = audit(objects, parseConfig(`${WITHOUT_NETWORK}  pod-security:\n    mode: warn\n`, 'test.yaml'));

  it('text: the answer per rule and check, then the objects capped with an "and N more" line, then the verdict', () => {
    const text = formatAuditText(report, { failOn: 'enforce', color: false, maxObjects: 4 });
    expect(text).toContain('policygate audit of test: 30 objects in 3 namespaces');
    expect(text).toMatch(/Enforcing would refuse:\n {2}pod-security\/privileged {2}9 objects \(15 pods\) in 3 namespaces +now: 9 warn\n/);
    expect(text).toContain('pod-security/privileged: enforcing would refuse 9 objects (15 pods)');
    expect(text).toContain('  team-a/Deployment/web  +3 pods, 1 ReplicaSet  now warn\n      spec.template.spec.containers[0].securityContext.privileged: privileged (container "app" must not set securityContext.privileged=true)');
    expect(text).toContain('  and 5 more (--max-objects 0 shows all)');
    expect(text).toContain('Audited 30 objects: as if enforced, 9 enforce, 0 warn, 0 audit (today: 0 enforce, 9 warn, 0 audit, 0 off); 0 errors.');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Failed: 9 findings at or above --fail-on enforce if enforced (exit 1).');
    expect(formatAuditText(report, { failOn: 'enforce', color: false, maxObjects: undefined })).not.toContain('more (--max-objects');
  });

  it("json: check's contract (results, errors, summary) plus the audit's fields; not capped unless asked", () => {
    const json = JSON.parse(formatAuditJson(report));
    expect(Object.keys(json).slice(0, 3)).toEqual(['results', 'errors', 'summary']);
    expect(json.results).toHaveLength(9);
    expect(json.results[1]).toEqual({
      file: '/apis/apps/v1/namespaces/team-a/deployments/web',
      line: null,
      column: null,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'team-a',
      name: 'web',
      rule: 'pod-security',
      check: 'privileged',
      mode: 'warn',
      enforcedMode: 'enforce',
      path: 'spec.template.spec.containers[0].securityContext.privileged',
      message: 'privileged (container "app" must not set securityContext.privileged=true)',
      policy: 'baseline:latest',
      own: true,
      owned: { Pod: 3, ReplicaSet: 1 },
    });
    for (const key of ['files', 'resources', 'enforce', 'warn', 'audit', 'errors']) expect(json.summary).toHaveProperty(key);
    expect(json).not.toHaveProperty('omitted');
    const capped = JSON.parse(formatAuditJson(report, 2));
    expect(capped.results).toHaveLength(2);
    expect(capped.omitted).toEqual([{ rule: 'pod-security', check: 'privileged', enforcedMode: 'enforce', results: 7 }]);
    expect(capped.summary).toEqual(json.summary);
  });
});
