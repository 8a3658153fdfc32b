// The audit against a small cluster over HTTPS: paged lists, objects as the API server stores them, an
// expired continue token, a kind that cannot be listed, one namespace, a cluster that is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCluster, auditExitCode, kubeLister, type AuditReport } from '../../src/audit/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import type { KubeObject } from '../../src/rules/types.js';
import { generateCluster } from './fake-cluster.mjs';
import { closedPort, startTestCluster, type TestCluster } from './helpers.js';
import { KubeConfig } from '@kubernetes/client-node';

/** Opens ingress to every pod of every namespace: only seen if `from` survives the listing. */
const clusterWide: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'from-everywhere', namespace: 'team-0001', uid: 'uid-np-from-everywhere' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
};

/** A Cilium policy open to every peer: the audit reads the policy CRDs a cluster serves. */
const ciliumAll: KubeObject = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'from-all', uid: 'uid-ccnp-from-all' },
  spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] },
};

let cluster: TestCluster;
let reference: AuditReport;

/** The report without what may differ between runs. */
const stable = (report: AuditReport) => ({ ...report, elapsedMs: undefined, notes: [] });

beforeAll(async () => {
  cluster = await startTestCluster([...generateCluster({ namespaces: 12 }), clusterWide, ciliumAll]);
  reference = await auditCluster(cluster.lister, DEFAULT_CONFIG);
});
afterAll(() => cluster.close());

describe('listing', () => {
  it('lists every audited kind in pages of 500 by default, Namespaces first and Pods last', () => {
    const calls = cluster.fake.calls.filter((call) => call.includes('limit='));
    expect(calls[0]).toBe('GET /api/v1/namespaces?limit=500');
    expect(calls.at(-1)).toBe('GET /api/v1/pods?limit=500');
    expect(calls.map((call) => call.replace(/^GET /, '').replace(/\?.*/, ''))).toEqual([
      '/api/v1/namespaces',
      '/apis/networking.k8s.io/v1/networkpolicies',
      '/apis/cilium.io/v2/ciliumnetworkpolicies',
      '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies',
      '/apis/projectcalico.org/v3/networkpolicies',
      '/apis/projectcalico.org/v3/globalnetworkpolicies',
      '/apis/crd.projectcalico.org/v1/networkpolicies',
      '/apis/crd.projectcalico.org/v1/globalnetworkpolicies',
      '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies',
      '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies',
      '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies',
      '/apis/batch/v1/cronjobs',
      '/apis/batch/v1/jobs',
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/replicasets',
      '/apis/apps/v1/statefulsets',
      '/apis/apps/v1/daemonsets',
      '/api/v1/replicationcontrollers',
      '/api/v1/podtemplates',
      '/api/v1/pods',
    ]);
    expect(reference.listed).toEqual({ CiliumClusterwideNetworkPolicy: 1, CronJob: 12, Deployment: 12, Job: 12, Namespace: 12, NetworkPolicy: 13, Pod: 120, ReplicaSet: 24, StatefulSet: 12 });
    // The policy CRDs this cluster does not serve answered 404: not installed, no error.
    expect(reference.errors).toEqual([]);
    expect(reference.source).toBe(cluster.fake.url);
  });

  it('follows continue tokens, and pages do not change the report', async () => {
    const before = cluster.fake.calls.length;
    const report = await auditCluster(cluster.lister, DEFAULT_CONFIG, { pageSize: 7 });
    const podCalls = cluster.fake.calls.slice(before).filter((call) => call.startsWith('GET /api/v1/pods?'));
    expect(podCalls).toHaveLength(Math.ceil(120 / 7));
    expect(podCalls[0]).toBe('GET /api/v1/pods?limit=7');
    expect(podCalls[1]).toMatch(/^GET \/api\/v1\/pods\?limit=7&continue=/);
    expect(stable(report)).toEqual(stable(reference));
  });

  it('judges objects as the API server stores them: kind filled in, NetworkPolicy `from` intact', () => {
    const result = reference.results.find((candidate) => candidate.name === 'from-everywhere');
    expect(result).toMatchObject({ kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', check: 'allow-all-cluster-ingress', mode: 'warn', enforcedMode: 'enforce' });
  });

  it('judges the policy custom resources the cluster serves, cluster-scoped ones without a namespace', () => {
    const result = reference.results.find((candidate) => candidate.name === 'from-all');
    expect(result).toMatchObject({ kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', namespace: null, check: 'allow-all-ingress', mode: 'enforce', path: 'spec.ingress[0]' });
    expect(result?.file).toBe('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies/from-all');
  });

  it('reports progress per page', async () => {
    const seen: string[] = [];
    await auditCluster(cluster.lister, DEFAULT_CONFIG, { pageSize: 50, onProgress: (progress) => seen.push(`${progress.resource} ${progress.listed}/${progress.remaining ?? 0} ${progress.total}`) });
    expect(seen.filter((line) => line.startsWith('pods '))).toEqual(['pods 50/70 148', 'pods 100/20 198', 'pods 120/0 218']);
  });
});

describe('an expired continue token (410 Gone)', () => {
  it('starts that listing again from the beginning, forgets the pages seen, and says so', async () => {
    cluster.fake.expireContinues(1);
    const report = await auditCluster(cluster.lister, DEFAULT_CONFIG, { pageSize: 5 });
    expect(report.notes[0]).toMatch(/^Listing namespaces started again from the beginning: the continue token expired after 1 page\(s\) \(the API server answered HTTP 410: The provided continue parameter is too old/);
    expect(stable(report)).toEqual(stable(reference));
    expect(report.summary.resources).toBe(reference.summary.resources);
  });

  it('takes the forgotten pages back out of the progress total', async () => {
    cluster.fake.expireContinues(1, '/api/v1/namespaces');
    const seen: string[] = [];
    await auditCluster(cluster.lister, DEFAULT_CONFIG, { pageSize: 5, onProgress: (progress) => seen.push(`${progress.resource} ${progress.listed} ${progress.total}`) });
    // The first page, then the listing again from the beginning.
    expect(seen.filter((line) => line.startsWith('namespaces '))).toEqual(['namespaces 5 5', 'namespaces 5 5', 'namespaces 10 10', 'namespaces 12 12']);
    expect(seen.at(-1)).toBe(`pods 120 ${Object.values(reference.listed).reduce((sum, count) => sum + count, 0)}`);
  });

  it('gives up on that kind after three restarts: an error (exit 2), every other kind still reported', async () => {
    cluster.fake.expireContinues(4, '/api/v1/pods');
    const report = await auditCluster(cluster.lister, DEFAULT_CONFIG, { pageSize: 50 });
    cluster.fake.expireContinues(0);
    expect(report.notes.filter((note) => note.startsWith('Listing pods started again'))).toHaveLength(3);
    expect(report.errors).toEqual([{ file: '/api/v1/pods', message: expect.stringMatching(/^cannot list pods: the API server answered HTTP 410: The provided continue parameter is too old/) }]);
    expect(report.listed.Pod).toBeUndefined();
    expect(report.results.filter((result) => result.kind === 'Deployment').length).toBeGreaterThan(0);
    expect(auditExitCode(report, 'never')).toBe(2);
  });
});

describe('a kind that cannot be listed', () => {
  it('is an error (exit 2); every other kind is still judged, its objects through the owners that were listed', async () => {
    cluster.fake.fail('/apis/batch/v1/cronjobs', 403, Infinity, 'cronjobs.batch is forbidden: User "auditor" cannot list resource "cronjobs"');
    try {
      const report = await auditCluster(cluster.lister, DEFAULT_CONFIG);
      expect(report.errors).toEqual([
        {
          file: '/apis/batch/v1/cronjobs',
          message: 'cannot list cronjobs.batch: the API server answered HTTP 403: cronjobs.batch is forbidden: User "auditor" cannot list resource "cronjobs"',
        },
      ]);
      expect(report.listed.CronJob).toBeUndefined();
      expect(report.results.length).toBeGreaterThan(0);
      expect(auditExitCode(report, 'never')).toBe(2);
    } finally {
      cluster.fake.fail('/apis/batch/v1/cronjobs', 403, 0);
    }
  });
});

describe('one namespace', () => {
  it('reads the Namespace and lists every kind within it only', async () => {
    const before = cluster.fake.calls.length;
    const report = await auditCluster(cluster.lister, DEFAULT_CONFIG, { namespace: 'team-0003' });
    const calls = cluster.fake.calls.slice(before);
    expect(calls[0]).toBe('GET /api/v1/namespaces/team-0003');
    expect(calls.slice(1).every((call) => call.includes('/namespaces/team-0003/'))).toBe(true);
    expect(new Set(report.results.map((result) => result.namespace ?? result.name))).toEqual(new Set(['team-0003']));
    expect(report.namespace).toBe('team-0003');
    // 18 listed, less the old ReplicaSet revision.
    expect(report.summary.resources).toBe(17);
  });

  it('refuses a namespace that does not exist', async () => {
    await expect(auditCluster(cluster.lister, DEFAULT_CONFIG, { namespace: 'nope' })).rejects.toThrow(new InputError(`namespace "nope" not found on ${cluster.fake.url}`));
  });
});

describe('a cluster that cannot be reached', () => {
  it('is an InputError in one line', async () => {
    const port = await closedPort();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'gone', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'gone', token: 'x' }],
      contexts: [{ name: 'gone', cluster: 'gone', user: 'gone' }],
      currentContext: 'gone',
    });
    const error = await auditCluster(kubeLister(kubeConfig), DEFAULT_CONFIG).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`cannot list namespaces from https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('is an InputError when the credentials are refused', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(cluster.fake.kubeconfig().replace(cluster.fake.token, 'wrong-token'));
    await expect(auditCluster(kubeLister(kubeConfig), DEFAULT_CONFIG)).rejects.toThrow(`cannot list namespaces from ${cluster.fake.url}: the API server answered HTTP 401: Unauthorized`);
  });
});
