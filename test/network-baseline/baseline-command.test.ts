// `policygate baseline`, the real binary against the fake API server: what it shows, what --apply does,
// its exit codes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../cli/run-cli.js';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { startFakeNetworkCluster, type FakeNetworkCluster } from './fake-network-cluster.js';

let certs: TestCertificates;
let cluster: FakeNetworkCluster;
let kubeconfig: string;

beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(() => certs.cleanup?.());

beforeEach(async () => {
  await cluster?.close();
  cluster = await startFakeNetworkCluster(certs);
  for (const name of ['kube-system', 'team-a', 'team-b', 'team-c']) cluster.addNamespace(name);
  // team-b has its own policy under a baseline name, team-c already has the baseline.
  cluster.putPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'policygate-allow-dns', namespace: 'team-b' }, spec: { podSelector: {}, egress: [{}] } });
  for (const [name, spec] of [
    ['policygate-default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }],
    ['policygate-allow-dns', { podSelector: {}, policyTypes: ['Ingress'] }],
  ] as const) {
    cluster.putPolicy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: 'team-c', labels: { 'app.kubernetes.io/managed-by': 'policygate', 'policygate.dev/network-baseline': name } },
      spec,
    });
  }
  kubeconfig = join(certs.dir, 'baseline-kubeconfig.yaml');
  await writeFile(kubeconfig, cluster.kubeConfig().exportConfig());
});
afterAll(() => cluster?.close());

describe('policygate baseline', () => {
  it('shows what it would do, writes nothing, and exits 1 when something is to do', async () => {
    const result = await runCli(['baseline', '--kubeconfig', kubeconfig]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'create   NetworkPolicy team-a/policygate-allow-dns',
        'create   NetworkPolicy team-a/policygate-default-deny',
        'skip     NetworkPolicy team-b/policygate-allow-dns  (exists, and policygate did not create it: left alone)',
        'create   NetworkPolicy team-b/policygate-default-deny',
        'update   NetworkPolicy team-c/policygate-allow-dns  (policygate created it; its spec is no longer the configured one)',
        '3 namespaces get the baseline (1 exempt skipped): 3 to create, 1 to update, 1 left alone, 1 up to date. Nothing was written: --apply writes.',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(cluster.calls.filter((call) => !call.startsWith('GET'))).toEqual([]);
  });

  it('prints the policies to create or update as YAML documents for kubectl apply or a repository', async () => {
    const result = await runCli(['baseline', '--kubeconfig', kubeconfig, '-o', 'yaml', '-n', 'team-a']);
    expect(result.code).toBe(1);
    const objects = parseAllDocuments(result.stdout).map((document) => document.toJS());
    expect(objects.map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)).toEqual([
      'NetworkPolicy team-a/policygate-allow-dns',
      'NetworkPolicy team-a/policygate-default-deny',
    ]);
    expect(objects[1].metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'policygate', 'policygate.dev/network-baseline': 'policygate-default-deny' });
  });

  it('with --apply, creates and updates, leaves the user\'s policy alone, and a second run has nothing to do', async () => {
    const applied = await runCli(['baseline', '--kubeconfig', kubeconfig, '--apply', '-o', 'json']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({
      applied: true,
      summary: { namespaces: 3, create: 3, update: 1, leftAlone: 1, upToDate: 1, exempt: 1, terminating: 0 },
      changes: [
        { action: 'create', namespace: 'team-a', name: 'policygate-allow-dns' },
        { action: 'create', namespace: 'team-a', name: 'policygate-default-deny' },
        { action: 'skip', namespace: 'team-b', name: 'policygate-allow-dns' },
        { action: 'create', namespace: 'team-b', name: 'policygate-default-deny' },
        { action: 'update', namespace: 'team-c', name: 'policygate-allow-dns' },
      ],
      skipped: [{ name: 'kube-system', why: 'exempt' }],
    });
    expect(cluster.policy('team-b', 'policygate-allow-dns')?.spec).toEqual({ podSelector: {}, egress: [{}] });
    expect(cluster.policy('team-c', 'policygate-allow-dns')?.spec.egress[0].ports).toHaveLength(2);

    const again = await runCli(['baseline', '--kubeconfig', kubeconfig]);
    expect(again.stdout).toBe(
      'skip     NetworkPolicy team-b/policygate-allow-dns  (exists, and policygate did not create it: left alone)\n' +
        '3 namespaces get the baseline (1 exempt skipped): 0 to create, 0 to update, 1 left alone, 5 up to date.\n',
    );
    expect(again.code).toBe(0);
  });

  it('plans with the configuration it is given', async () => {
    const config = join(certs.dir, 'baseline-config.yaml');
    await writeFile(config, 'networkBaseline:\n  exemptNamespaces: [kube-system, team-a, team-b, team-c]\n');
    const result = await runCli(['baseline', '--kubeconfig', kubeconfig, '-c', config]);
    expect(result.stdout).toBe('0 namespaces get the baseline (4 exempt skipped): 0 to create, 0 to update, 0 left alone, 0 up to date.\n');
    expect(result.code).toBe(0);
  });

  it('says in one line when the cluster cannot be read, and exits 2', async () => {
    await cluster.close();
    const result = await runCli(['baseline', '--kubeconfig', kubeconfig]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^policygate baseline: cannot read the cluster \(https:\/\/127\.0\.0\.1:\d+\): .+\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
    cluster = await startFakeNetworkCluster(certs);
  });

  it('needs a cluster', async () => {
    const result = await runCli(['baseline']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'policygate baseline: no cluster: pass --kubeconfig FILE or set KUBECONFIG (in a pod, the service account is used)\n' });
  });
});

