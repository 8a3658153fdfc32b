// The audit's account of exceptions, judged at a fixed instant: what each excepted (a workload and its
// pods on one line), which expire within 14 days, which expired, which matched nothing; the text
// report's section; the reports' skip results.
import { describe, expect, it } from 'vitest';
import { auditObjects, formatAuditText, REPORT_APIS, reportsOf } from '../../src/audit/index.js';
import type { ExceptionConfig, KubeObject } from '../../src/rules/types.js';
import { testConfig } from '../helpers/config.js';

const AT = Date.parse('2027-03-20T12:00:00Z');

const daemonSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'node-agent', namespace: 'monitoring', uid: 'ds' },
  spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:4' }], volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] } } },
};
const itsPod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'node-agent-x7k2p', namespace: 'monitoring', uid: 'p1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent', uid: 'ds', controller: true }] },
  spec: { containers: [{ name: 'agent', image: 'agent:4' }], volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] },
};
const privileged: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'debug', namespace: 'monitoring', uid: 'p2' },
  spec: { containers: [{ name: 'shell', image: 'tools', securityContext: { privileged: true } }] },
};
const monitoring: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', uid: 'ns', labels: { team: 'ops' } } };

const EXCEPTIONS: ExceptionConfig[] = [
  { name: 'node-agent-hostpath', reason: 'OPS-1', expires: '2027-03-23', match: { kinds: ['DaemonSet'], names: ['node-agent'] }, checks: ['pod-security/hostPathVolumes'] },
  { name: 'later', reason: 'OPS-2', expires: '2027-04-30', match: { namespaces: ['elsewhere'] }, checks: ['pod-security/*'] },
  { name: 'soon-unused', reason: 'OPS-3', expires: '2027-03-20T18:00:00Z', match: { namespaces: ['elsewhere'] }, checks: ['pod-security/*'] },
  { name: 'gone', reason: 'OPS-4', expires: '2027-03-01', match: { names: ['debug'] }, checks: ['pod-security/privileged'] },
];

function audit() {
  // The namespace has no network policy: network-isolation, which the audit would raise, is not the subject here.
  return auditObjects([monitoring, daemonSet, itsPod, privileged], testConfig({ exceptions: EXCEPTIONS, rules: { 'network-isolation': { exemptNamespaces: ['monitoring'] } } }), { source: 'test', at: AT });
}

describe('the audit and its exceptions', () => {
  it('groups what an exception excepted by owner, keeps it out of the results, and counts it', () => {
    const report = audit();
    expect(report.results.filter((result) => result.check === 'hostPathVolumes')).toEqual([]);
    expect(report.exceptions.excepted).toEqual([
      expect.objectContaining({
        kind: 'DaemonSet',
        name: 'node-agent',
        rule: 'pod-security',
        check: 'hostPathVolumes',
        exception: 'node-agent-hostpath',
        mode: 'off',
        enforcedMode: 'enforce',
        path: 'spec.template.spec.volumes[0].hostPath',
        own: true,
        owned: { Pod: 1 },
      }),
    ]);
    expect(report.exceptions.used).toEqual([{ name: 'node-agent-hostpath', results: 1, objects: 2, pods: 1, namespaces: 1, checks: ['pod-security/hostPathVolumes'] }]);
    expect(report.summary.excepted).toBe(1);
    // The expired exception no longer applies: the debug pod is a failure.
    expect(report.results.some((result) => result.name === 'debug' && result.check === 'privileged' && result.enforcedMode === 'enforce')).toBe(true);
  });

  it('lists those that expire within 14 days, those that have expired, and those that matched nothing', () => {
    const { exceptions } = audit();
    expect(exceptions.expiring).toEqual([
      { name: 'soon-unused', expires: '2027-03-20T18:00:00Z', daysLeft: 0 },
      { name: 'node-agent-hostpath', expires: '2027-03-23', daysLeft: 3 },
    ]);
    expect(exceptions.expired).toEqual([{ name: 'gone', expires: '2027-03-01' }]);
    expect(exceptions.unused).toEqual(['later', 'soon-unused']);
  });

  it('says so in the text report', () => {
    const text = formatAuditText(audit(), { failOn: 'enforce', color: false, maxObjects: undefined });
    expect(text).toContain(
      [
        'Exceptions (their findings are recorded here, not above):',
        '  node-agent-hostpath: 2 objects (1 pod) in 1 namespace, pod-security/hostPathVolumes; expires 2027-03-23 (in 3 days)',
        '  soon-unused: expires 2027-03-20T18:00:00Z (within a day)',
        '  Expired, no longer applied (renew or remove): gone (2027-03-01)',
        '  Excepted nothing (remove if no longer needed): later, soon-unused',
      ].join('\n'),
    );
    expect(text).toMatch(/\(today: [^)]*\), 1 excepted; 0 errors\.\n/);
  });

  it('records what enforcing would refuse but an exception excepts as skip results in the reports, after the failures', () => {
    const reports = reportsOf(audit(), { api: REPORT_APIS['openreports.io'], now: new Date(AT) });
    expect(reports.get('monitoring')?.map((shard) => shard.metadata.name)).toEqual(['policygate']);
    const report = reports.get('monitoring')?.[0];
    expect(report?.summary).toEqual({ fail: 1, skip: 1 });
    expect(report?.results.map((result) => `${result.result} ${result.policy}/${result.rule}`)).toEqual(['fail pod-security/privileged', 'skip pod-security/hostPathVolumes']);
    expect(report?.results[1]?.properties).toEqual({ path: 'spec.template.spec.volumes[0].hostPath', mode: 'excepted', exception: 'node-agent-hostpath', level: 'baseline:latest', owned: 'Pod=1' });
    // Capped: the failures first.
    const capped = reportsOf(audit(), { api: REPORT_APIS['openreports.io'], now: new Date(AT), maxResults: 1 }).get('monitoring')?.[0];
    expect(capped?.results.map((result) => result.result)).toEqual(['fail']);
    expect(capped?.metadata.annotations).toEqual({ 'policygate.dev/omitted-results': '1' });
  });
});
