// network-isolation and the network posture in `policygate audit`: the same pitfalls as the check test,
// now as live objects on a fake API server (over TLS on 127.0.0.1), with workloads and pods. The context
// is the live Namespaces and policies of every API; the posture counts pods per namespace and names pod
// groups whose policies, each narrow, together admit everything.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit.js';
import type { KubeObject } from '../../src/rules/types.js';
import { captureIO, owner, pod, startTestCluster, workload, type TestCluster } from '../audit/helpers.js';

let cluster: TestCluster;

function labelled(object: KubeObject, labels: Record<string, string>): KubeObject {
  return { ...object, metadata: { ...object.metadata, labels } };
}

/** Half of the TCP ports from everyone: narrow alone, everything with its other half. */
function halfOfTcp(name: string, from: number, to: number): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: from, endPort: to }] }] },
  };
}

beforeAll(async () => {
  const text = await readFile(join(import.meta.dirname, 'fixtures/pitfalls.yaml'), 'utf8');
  const pitfalls = parseAllDocuments(text).map((document, index) => {
    const object = document.toJSON() as KubeObject;
    return { ...object, metadata: { ...object.metadata, uid: `uid-pitfall-${index}` } };
  });
  const shopNamespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'uid-ns-shop', labels: { team: 'shop' } } };
  const kubeSystem: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'uid-ns-kube-system', labels: {} } };
  cluster = await startTestCluster([
    kubeSystem,
    shopNamespace,
    ...pitfalls,
    halfOfTcp('web-low-ports', 1, 32767),
    halfOfTcp('web-high-ports', 32768, 65535),
    workload('apps/v1', 'Deployment', 'shop', 'web'),
    workload('apps/v1', 'ReplicaSet', 'shop', 'web-1', { owner: owner('apps/v1', 'Deployment', 'web') }),
    labelled(pod('shop', 'web-1-a', { owner: owner('apps/v1', 'ReplicaSet', 'web-1') }), { app: 'web' }),
    labelled(pod('shop', 'web-1-b', { owner: owner('apps/v1', 'ReplicaSet', 'web-1') }), { app: 'web' }),
    labelled(pod('production', 'backend-0'), { tier: 'backend' }),
    labelled(pod('staging', 'frontend-0'), { tier: 'frontend' }),
    labelled(pod('staging', 'batch-0'), { tier: 'batch' }),
  ]);
});
afterAll(() => cluster.close());

interface Result {
  kind: string;
  namespace: string | null;
  name: string;
  rule: string;
  check: string;
  mode: string;
  path: string;
  message: string;
}

describe('policygate audit judges network policies among the live objects', () => {
  it('reports every pitfall on the object it concerns, with its mode today', async () => {
    const io = captureIO();
    expect(await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--format', 'json', '--fail-on', 'never'], io)).toBe(0);
    expect(io.err()).toBe('');
    const report = JSON.parse(io.out()) as { results: Result[]; network: any };
    const network = report.results
      .filter((result) => result.rule === 'network-isolation')
      .map((result) => `${result.kind} ${result.namespace ?? '-'}/${result.name} ${result.check} ${result.mode} ${result.path}`)
      .sort();
    expect(network).toEqual(
      [
        'Namespace -/shop namespace-without-default-deny audit metadata.name',
        'Namespace -/staging namespace-without-default-deny audit metadata.name',
        'Namespace -/monitoring namespace-without-default-deny audit metadata.name',
        'NetworkPolicy production/default-deny-all egress-blocks-dns warn spec.policyTypes[1]',
        'NetworkPolicy production/allow-from-monitoring selector-matches-nothing warn spec.ingress[0].from[0].namespaceSelector',
        'NetworkPolicy production/backend-policy egress-blocks-dns warn spec.policyTypes[1]',
        'NetworkPolicy kube-system/default-deny-all system-namespace-default-deny warn spec.podSelector',
        'NetworkPolicy kube-system/default-deny-all egress-blocks-dns warn spec.policyTypes[1]',
      ].sort(),
    );
    const nothing = report.results.find((result) => result.check === 'selector-matches-nothing');
    expect(nothing?.message).toContain('no namespace has the label purpose=monitoring; label the namespace to admit: kubectl label namespace monitoring purpose=monitoring');
  });

  it('reports the network posture per namespace, in JSON', async () => {
    const io = captureIO();
    await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--format', 'json', '--fail-on', 'never'], io);
    const { network } = JSON.parse(io.out());
    expect(network.totals).toEqual({ namespaces: 5, ingressIsolated: 2, egressIsolated: 2, pods: 5, podsNotSelected: 1, policiesAdmittingEverything: 0, openGroups: 1, findings: 8 });
    const byName = Object.fromEntries(network.namespaces.map((entry: { namespace: string }) => [entry.namespace, entry]));
    expect(Object.keys(byName)).toEqual(['kube-system', 'monitoring', 'production', 'shop', 'staging']);
    expect(byName.production).toMatchObject({ exempt: false, ingressIsolated: true, egressIsolated: true, pods: 1, podsNotSelected: 0, findings: 3 });
    expect(byName['kube-system']).toMatchObject({ exempt: true, ingressIsolated: true, egressIsolated: true, findings: 2 });
    expect(byName.staging).toMatchObject({ ingressIsolated: false, egressIsolated: false, pods: 2, podsNotSelected: 1, findings: 1 });
    expect(byName.shop.openGroups).toEqual([{ owner: 'Deployment/web', pods: 2, direction: 'ingress', policies: ['web-high-ports', 'web-low-ports'] }]);
    expect(Object.keys(byName.shop)).toEqual(['namespace', 'exempt', 'ingressIsolated', 'egressIsolated', 'pods', 'podsNotSelected', 'admittingEverything', 'openGroups', 'findings']);
  });

  it('prints the posture in text: the totals, then each namespace that falls short', async () => {
    const io = captureIO();
    await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--fail-on', 'never'], io);
    const text = io.out();
    expect(text).toContain(
      'Network posture:\n  5 namespaces: every pod isolated for ingress in 2, for egress in 2; 5 pods, 1 selected by no policy; 0 policies admitting everything; 1 pod group open through several policies together; 8 network-isolation findings.',
    );
    expect(text).toContain('      Deployment/web (2 pods): ingress open to everything through web-high-ports and web-low-ports together, though each alone is narrow');
    expect(text).toContain('\n  NAMESPACE     INGRESS   EGRESS    PODS  NOT SELECTED  FINDINGS\n');
    expect(text).toContain('\n  kube-system*  isolated  isolated     0             0         2\n');
    expect(text).toContain('\n  staging       open      open         2             1         1\n');
  });

  it('judges one namespace with what can be known of it: no namespace selector is judged against an unlisted cluster', async () => {
    const io = captureIO();
    await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--namespace', 'production', '--format', 'json', '--fail-on', 'never'], io);
    const report = JSON.parse(io.out()) as { results: Result[] };
    expect(report.results.filter((result) => result.rule === 'network-isolation').map((result) => `${result.name} ${result.check}`).sort()).toEqual([
      'backend-policy egress-blocks-dns',
      'default-deny-all egress-blocks-dns',
    ]);
  });
});
