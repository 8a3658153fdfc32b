// network-isolation in the webhook: `policygate serve` over TLS on 127.0.0.1 against a fake API server,
// its context the namespace cache and the NetworkPolicy cache (informer, with a direct read before it
// has synced). What the user sees is the AdmissionReview's warnings; the caches follow the cluster as it
// changes. Without a cluster, the checks that need context find nothing and the log says so once.
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../src/admission/index.js';
import { serve } from '../../src/cli/serve.js';
import { NetworkPolicyCache } from '../../src/kube/index.js';
import type { KubeObject } from '../../src/rules/types.js';
import type { RunningServer } from '../../src/server/listen.js';
import { captureIO, unreachableKubeconfig } from '../audit/helpers.js';
import { capturedLogger, httpsRequest, makeTestCertificates, postReview, reviewOf, type TestCertificates } from '../server/helpers.js';
import { startFakeNetworkCluster, type FakeNetworkCluster } from '../network-baseline/fake-network-cluster.js';
import { KubeConfig } from '@kubernetes/client-node';

let certs: TestCertificates;
let cluster: FakeNetworkCluster;

beforeAll(async () => {
  certs = await makeTestCertificates();
  cluster = await startFakeNetworkCluster(certs);
});
afterAll(async () => {
  await cluster.close();
  await certs.cleanup?.();
});

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const DENY_EGRESS = { podSelector: {}, policyTypes: ['Egress'] };
const ALLOW_DNS = {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
  ],
};
const FROM_MONITORING = {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }],
};

function checksOf(answer: AdmissionReviewResponse): string[] {
  return (answer.response.warnings ?? []).filter((warning) => warning.includes('network-isolation') || /isolat|matches no namespace/.test(warning));
}

async function withServe(args: string[], body: (server: RunningServer, out: () => string) => Promise<void>): Promise<void> {
  const io = captureIO({ env: {} });
  const signals = new EventEmitter();
  let listening: (server: RunningServer) => void = () => {};
  const started = new Promise<RunningServer>((resolve) => (listening = resolve));
  const exit = serve(['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--port', '0', '--host', '127.0.0.1', ...args], io, { signals, onListening: listening });
  const server = await Promise.race([started, exit.then(() => Promise.reject(new Error(`serve returned before listening: ${io.err()}`)))]);
  try {
    await body(server, () => io.out());
  } finally {
    signals.emit('SIGTERM', 'SIGTERM');
  }
  expect(await exit).toBe(0);
}

describe('policygate serve judges a NetworkPolicy among the cluster around it', () => {
  it('warns from the live Namespaces and NetworkPolicies, and follows them as they change', async () => {
    cluster.addNamespace('shop');
    cluster.addNamespace('metrics', { labels: { team: 'platform' } });
    cluster.addNamespace('kube-system');
    const kubeconfig = join(certs.dir, 'isolation-kubeconfig.yaml');
    await writeFile(kubeconfig, cluster.kubeConfig().exportConfig());
    await withServe(['--kubeconfig', kubeconfig], async (server) => {
      const trust = { ca: certs.ca.cert };
      await until(async () => (await httpsRequest(server.port, { path: '/readyz', tls: trust })).status === 200, 'ready');
      await until(() => cluster.calls.some((call) => call.startsWith('GET /apis/networking.k8s.io/v1/networkpolicies?') && call.includes('watch=true')), 'the NetworkPolicy watch');
      const review = (object: KubeObject) => postReview(server.port, '/validate', reviewOf(object), trust);

      // A default-deny for egress with no DNS allow anywhere in the namespace: allowed, with a warning.
      const blocking = await review(policy('shop', 'deny-egress', DENY_EGRESS));
      expect(blocking.response.allowed).toBe(true);
      expect(checksOf(blocking)).toEqual([expect.stringMatching(/^spec\.policyTypes\[0\]: egress is isolated for the pods this policy selects/)]);
      expect(checksOf(blocking)[0]).toContain('neither this policy nor any other NetworkPolicy in namespace shop admits DNS');

      // Someone applies the DNS allow: the watch brings it, and the same policy no longer warns.
      cluster.putPolicy(policy('shop', 'allow-dns', ALLOW_DNS));
      await until(async () => checksOf(await review(policy('shop', 'deny-egress', DENY_EGRESS))).length === 0, 'the DNS allow to reach the cache');

      // A namespaceSelector on a label no namespace carries: said, with the command that fixes it.
      const nothing = await review(policy('shop', 'from-monitoring', FROM_MONITORING));
      expect(checksOf(nothing)).toEqual([expect.stringContaining('matches no namespace')]);
      // The API server cuts a warning at 256 characters: the start says what is wrong.
      expect(checksOf(nothing)[0]).toContain('no namespace has the label purpose=monitoring');
      cluster.addNamespace('metrics', { labels: { team: 'platform', purpose: 'monitoring' } });
      await until(async () => checksOf(await review(policy('shop', 'from-monitoring', FROM_MONITORING))).length === 0, 'the label to reach the namespace cache');

      // A default-deny in kube-system: warned about, with or without context.
      const system = await review(policy('kube-system', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
      expect(system.response.allowed).toBe(true);
      expect(system.response.warnings?.some((warning) => warning.includes('isolates every pod of namespace kube-system for ingress and egress'))).toBe(true);

      // A Namespace is never judged for a default-deny by the webhook: its policies come after it.
      const namespace = await review({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new-team', labels: { team: 'new' } } });
      expect(namespace.response.allowed).toBe(true);
      expect(namespace.response.warnings ?? []).toEqual([]);
    });
  });

  it('enforces a check the configuration raises to enforce', async () => {
    cluster.addNamespace('locked-down');
    const kubeconfig = join(certs.dir, 'isolation-enforce-kubeconfig.yaml');
    await writeFile(kubeconfig, cluster.kubeConfig().exportConfig());
    const config = join(certs.dir, 'isolation-enforce.yaml');
    await writeFile(config, 'rules:\n  network-isolation:\n    checks:\n      egress-blocks-dns: enforce\n');
    await withServe(['--kubeconfig', kubeconfig, '--config', config], async (server) => {
      const trust = { ca: certs.ca.cert };
      await until(async () => (await httpsRequest(server.port, { path: '/readyz', tls: trust })).status === 200, 'ready');
      const denied = await postReview(server.port, '/validate', reviewOf(policy('locked-down', 'deny-egress', DENY_EGRESS)), trust);
      expect(denied.response.allowed).toBe(false);
      expect(denied.response.status?.message).toContain('admits DNS');
    });
  });

  it('without a cluster, finds nothing that needs context and says so once in the log', async () => {
    await withServe(['--no-cluster'], async (server, out) => {
      const trust = { ca: certs.ca.cert };
      const blocking = await postReview(server.port, '/validate', reviewOf(policy('shop', 'deny-egress', DENY_EGRESS)), trust);
      expect(checksOf(blocking)).toEqual([]);
      const nothing = await postReview(server.port, '/validate', reviewOf(policy('shop', 'from-monitoring', FROM_MONITORING)), trust);
      expect(checksOf(nothing)).toEqual([]);
      // A check that needs no context still works.
      const system = await postReview(server.port, '/validate', reviewOf(policy('kube-system', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] })), trust);
      expect(system.response.warnings?.some((warning) => warning.includes('isolates every pod of namespace kube-system for ingress'))).toBe(true);
      const told = out()
        .split('\n')
        .filter((line) => line.includes('network-isolation knows no namespaces'));
      expect(told).toHaveLength(1);
    });
  });
});

describe('NetworkPolicyCache', () => {
  it('reads a namespace directly before it has synced, then answers from the watch', async () => {
    cluster.putPolicy(policy('reads', 'allow-dns', ALLOW_DNS));
    const { logger } = capturedLogger();
    const cache = new NetworkPolicyCache({ kubeConfig: cluster.kubeConfig(), logger });
    try {
      const direct = await cache.policies('reads');
      expect(direct?.map((entry) => entry.name)).toEqual(['allow-dns']);
      expect(cluster.calls).toContain('GET /apis/networking.k8s.io/v1/namespaces/reads/networkpolicies');
      await cache.start();
      await until(() => cache.synced(), 'the cache to sync');
      const reads = cluster.calls.filter((call) => call.startsWith('GET /apis/networking.k8s.io/v1/namespaces/reads/')).length;
      expect((cache.policies('reads') as readonly { name: string }[]).map((entry) => entry.name)).toEqual(['allow-dns']);
      cluster.putPolicy(policy('reads', 'deny-egress', DENY_EGRESS));
      await until(() => (cache.policies('reads') as readonly unknown[]).length === 2, 'the new policy');
      cluster.deletePolicy('reads', 'allow-dns');
      await until(() => (cache.policies('reads') as readonly { name: string }[]).map((entry) => entry.name).join() === 'deny-egress', 'the deletion');
      expect(cluster.calls.filter((call) => call.startsWith('GET /apis/networking.k8s.io/v1/namespaces/reads/')).length).toBe(reads);
    } finally {
      await cache.close();
    }
  });

  it('answers "not known" when it cannot read, and logs it once', async () => {
    const unreachable = await unreachableKubeconfig();
    const captured = capturedLogger();
    const { logger } = captured;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(unreachable.file);
    const cache = new NetworkPolicyCache({ kubeConfig, logger, readTimeoutMs: 2_000 });
    try {
      expect(await cache.policies('a')).toBeUndefined();
      expect(await cache.policies('b')).toBeUndefined();
      expect(captured.lines.filter((line) => String(line.msg).startsWith('cannot read NetworkPolicies'))).toHaveLength(1);
    } finally {
      await cache.close();
      await unreachable.cleanup();
    }
  });
});
