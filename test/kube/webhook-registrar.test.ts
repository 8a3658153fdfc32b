// The registration of policygate's own webhook configurations against a fake API server on 127.0.0.1:
// created with the CA bundle served and the rules of the code, owned by the ClusterRole whose deletion
// uninstalls them; put back when deleted or changed; nothing while the owner is absent or the CA would
// not trust this replica; replicas that race never fail or flap; stopping never deletes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeJsonClient, WEBHOOK_OWNER_CLUSTER_ROLE, WebhookRegistrar, type PassResult } from '../../src/kube/index.js';
import { bundleTrusts } from '../../src/webhooks/ca-bundle.js';
import { webhookConfigurations } from '../../src/webhooks/configurations.js';
import { capturedLogger, makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { COLLECTIONS, startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

const SERVICE = { namespace: 'policygate', name: 'policygate', port: 443 };

let certs: TestCertificates;
let other: TestCertificates;
let api: FakeApiServer;
let ownerUid = '';
let scratch: string;
beforeAll(async () => {
  certs = await makeTestCertificates();
  other = await makeTestCertificates();
  scratch = await mkdtemp(join(tmpdir(), 'policygate-registrar-'));
});
afterAll(async () => {
  await certs.cleanup();
  await other.cleanup();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startFakeApiServer(certs);
  ownerUid = api.put(COLLECTIONS.clusterRoles, { metadata: { name: WEBHOOK_OWNER_CLUSTER_ROLE } }).metadata.uid;
});
afterEach(async () => {
  await api.close();
});

function registrar(options: { caBundleFile?: string; servingCertificateFile?: string; intervalMs?: number } = {}) {
  const logs = capturedLogger();
  const results: string[] = [];
  const instance = new WebhookRegistrar({
    client: kubeJsonClient(api.kubeConfig()),
    logger: logs.logger,
    webhooks: { service: SERVICE, failurePolicy: 'Fail', excludedNamespaces: [] },
    caBundleFile: options.caBundleFile ?? certs.files.caCert,
    servingCertificateFile: options.servingCertificateFile ?? certs.files.cert,
    retryMs: 20,
    intervalMs: options.intervalMs ?? 60_000,
    onResult: (configuration, result) => results.push(`${configuration}:${result}`),
  });
  return { instance, logs, results };
}

const validating = () => api.get(COLLECTIONS.validatingWebhooks, 'policygate');
const mutating = () => api.get(COLLECTIONS.mutatingWebhooks, 'policygate');

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WebhookRegistrar', () => {
  it('registers both configurations as the code makes them, with the CA bundle it serves, owned by its ClusterRole', async () => {
    const { instance, results, logs } = registrar();
    expect(validating()).toBeUndefined();
    expect(await instance.reconcile()).toEqual({ validating: 'created', mutating: 'created' });
    expect(results).toEqual(['validating:created', 'mutating:created']);
    const [wantedValidating, wantedMutating] = webhookConfigurations({ service: SERVICE, caBundle: certs.ca.cert, failurePolicy: 'Fail' });
    const owner = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: WEBHOOK_OWNER_CLUSTER_ROLE, uid: ownerUid };
    for (const [stored, wanted] of [
      [validating(), wantedValidating],
      [mutating(), wantedMutating],
    ] as const) {
      expect(stored?.webhooks).toEqual(wanted.webhooks);
      expect(stored?.metadata).toMatchObject({ name: 'policygate', labels: wanted.metadata.labels, ownerReferences: [owner] });
    }
    expect(Buffer.from(wantedValidating.webhooks[0].clientConfig.caBundle ?? '', 'base64').toString()).toBe(certs.ca.cert);
    expect(logs.lines.filter((line) => line.msg === 'webhook configurations: registered').map((line) => line.kind)).toEqual(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    // A second pass changes nothing.
    expect(await instance.reconcile()).toEqual({ validating: 'unchanged', mutating: 'unchanged' });
    expect(api.calls.filter((call) => call.startsWith('PUT') || call.startsWith('POST'))).toEqual([
      'POST /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      'POST /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    ]);
  });

  it('puts a deleted configuration back, and a changed one back as it was', async () => {
    const { instance, logs } = registrar();
    await instance.reconcile();
    api.objects.get(COLLECTIONS.validatingWebhooks)?.delete('policygate');
    const changed = structuredClone(mutating()) as NonNullable<ReturnType<typeof mutating>>;
    (changed.webhooks as { failurePolicy: string; objectSelector: object }[])[0] = { ...(changed.webhooks as object[])[0], failurePolicy: 'Fail', objectSelector: { matchLabels: { 'skip-policygate': 'yes' } } } as never;
    api.put(COLLECTIONS.mutatingWebhooks, changed);
    expect(await instance.reconcile()).toEqual({ validating: 'created', mutating: 'updated' });
    expect(mutating()?.webhooks).toEqual(webhookConfigurations({ service: SERVICE, caBundle: certs.ca.cert })[1].webhooks);
    expect(logs.lines.find((line) => line.msg === 'webhook configurations: updated')).toMatchObject({ kind: 'MutatingWebhookConfiguration', changed: ['webhooks[0].failurePolicy', 'webhooks[0].objectSelector'] });
  });

  it('takes over a configuration applied by hand (an older install), dropping cert-manager\'s CA injection', async () => {
    const [old] = webhookConfigurations({ service: SERVICE });
    api.put(COLLECTIONS.validatingWebhooks, { ...old, metadata: { ...old.metadata, labels: { team: 'platform' }, annotations: { 'cert-manager.io/inject-ca-from': 'policygate/policygate-tls', note: 'kept' } } });
    const { instance } = registrar();
    expect((await instance.reconcile()).validating).toBe('updated');
    expect(validating()?.metadata).toMatchObject({
      labels: { team: 'platform', 'app.kubernetes.io/managed-by': 'policygate' },
      annotations: { note: 'kept' },
      ownerReferences: [expect.objectContaining({ uid: ownerUid })],
    });
    expect((validating()?.metadata.annotations as Record<string, string>)['cert-manager.io/inject-ca-from']).toBeUndefined();
  });

  it('registers nothing while the ClusterRole that owns the configurations is absent (uninstalled), and says so once', async () => {
    api.objects.get(COLLECTIONS.clusterRoles)?.clear();
    const { instance, logs } = registrar();
    expect(await instance.reconcile()).toEqual({ validating: 'error', mutating: 'error' });
    expect(await instance.reconcile()).toEqual({ validating: 'error', mutating: 'error' });
    expect(validating()).toBeUndefined();
    expect(mutating()).toBeUndefined();
    expect(logs.lines.filter((line) => line.level === 40).map((line) => line.reason)).toEqual([
      `not registering: the ClusterRole ${WEBHOOK_OWNER_CLUSTER_ROLE}, which owns the webhook configurations, does not exist (being uninstalled?)`,
    ]);
  });

  it('registers nothing when its CA bundle does not trust its own serving certificate: the API server could not call it', async () => {
    const { instance, logs } = registrar({ caBundleFile: other.files.caCert });
    expect(await instance.reconcile()).toEqual({ validating: 'error', mutating: 'error' });
    expect(validating()).toBeUndefined();
    expect(logs.lines.at(-1)?.reason).toContain(`the CA bundle ${other.files.caCert} does not trust the serving certificate ${certs.files.cert}`);
  });

  it('reports a refused write without failing, and registers once it is allowed', async () => {
    api.writeStatus = 403;
    const { instance, logs } = registrar();
    expect(await instance.reconcile()).toEqual({ validating: 'error', mutating: 'error' });
    expect(logs.lines.at(-1)).toMatchObject({ msg: 'webhook configurations: cannot register or keep them; trying again', reason: expect.stringContaining('HTTP 403') });
    api.writeStatus = 0;
    expect(await instance.reconcile()).toEqual({ validating: 'created', mutating: 'created' });
    expect(logs.lines.at(-1)?.msg).toBe('webhook configurations: registering works again');
  });

  it('two replicas racing never fail and end on one configuration', async () => {
    const first = registrar();
    const second = registrar();
    const passes = await Promise.all([first.instance.reconcile(), second.instance.reconcile(), first.instance.reconcile(), second.instance.reconcile()]);
    const all = passes.flatMap((pass) => Object.values(pass)) as PassResult[];
    expect(all).not.toContain('error');
    expect(all.filter((result) => result === 'created')).toHaveLength(2);
    expect(await first.instance.reconcile()).toEqual({ validating: 'unchanged', mutating: 'unchanged' });
    expect(await second.instance.reconcile()).toEqual({ validating: 'unchanged', mutating: 'unchanged' });
  });

  it('replicas on the old and the new CA files during a rotation settle on a bundle that trusts both', async () => {
    // The new Secret: a new CA and serving certificate; ca.crt carries the old CA too (`policygate certs --force`).
    const rotated = join(scratch, 'rotated');
    await writeFile(`${rotated}-ca.crt`, other.ca.cert + certs.ca.cert);
    const behind = registrar();
    const ahead = registrar({ caBundleFile: `${rotated}-ca.crt`, servingCertificateFile: other.files.cert });
    await behind.instance.reconcile();
    expect((await ahead.instance.reconcile()).validating).toBe('updated');
    for (let pass = 0; pass < 3; pass++) {
      expect(await behind.instance.reconcile()).toEqual({ validating: 'unchanged', mutating: 'unchanged' });
      expect(await ahead.instance.reconcile()).toEqual({ validating: 'unchanged', mutating: 'unchanged' });
    }
    const bundle = Buffer.from((validating()?.webhooks as { clientConfig: { caBundle: string } }[])[0]?.clientConfig.caBundle ?? '', 'base64').toString();
    // The new file's bundle (a rotation), or both CAs merged when the two CAs were made in the same second.
    expect(bundleTrusts(bundle, certs.serving.cert) && bundleTrusts(bundle, other.serving.cert)).toBe(true);
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('keeps them while running (re-created after a deletion within its interval), and leaves them registered when stopped', async () => {
    const { instance } = registrar({ intervalMs: 50 });
    instance.start();
    await until(() => validating() !== undefined && mutating() !== undefined, 'the first registration');
    api.objects.get(COLLECTIONS.validatingWebhooks)?.delete('policygate');
    await until(() => validating() !== undefined, 'the configuration to be put back');
    await instance.stop();
    const writes = api.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(api.calls.length).toBe(writes);
    expect(validating()).toBeDefined();
    expect(mutating()).toBeDefined();
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toEqual([]);
  });
});
