// The install order, as `policygate serve --register-webhooks` lives it against a fake API server: no
// webhook configuration exists before the replica is ready (its Namespace cache synced and the
// readiness probe answered); then both appear, with the CA bundle it serves and the rules of the code;
// one deleted comes back; a shutdown leaves them for the other replicas. Bad flags stop it before it starts.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/cli/command.js';
import { serve } from '../../src/cli/serve.js';
import { InputError } from '../../src/errors.js';
import { WEBHOOK_OWNER_CLUSTER_ROLE } from '../../src/kube/index.js';
import type { RunningServer } from '../../src/server/listen.js';
import { webhookConfigurations } from '../../src/webhooks/configurations.js';
import { COLLECTIONS, startFakeApiServer, type FakeApiServer } from '../kube/fake-api-server.js';
import { httpsRequest, makeTestCertificates, type TestCertificates } from './helpers.js';

let certs: TestCertificates;
let cwd: string;
beforeAll(async () => {
  certs = await makeTestCertificates();
  cwd = await mkdtemp(join(tmpdir(), 'policygate-register-'));
});
afterAll(async () => {
  await certs.cleanup();
  await rm(cwd, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}): { io: CommandIO; logs: () => Array<Record<string, unknown>> } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return {
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env, cwd },
    logs: () =>
      out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const registered = (api: FakeApiServer) => [api.get(COLLECTIONS.validatingWebhooks, 'policygate'), api.get(COLLECTIONS.mutatingWebhooks, 'policygate')];

describe('policygate serve --register-webhooks', () => {
  it('registers nothing before it is ready, both configurations once it is, keeps them, and leaves them on shutdown', async () => {
    const api = await startFakeApiServer(certs, [{ name: 'team-a' }]);
    api.put(COLLECTIONS.clusterRoles, { metadata: { name: WEBHOOK_OWNER_CLUSTER_ROLE } });
    // The first lists fail: the Namespace cache has not synced, so the replica is not ready.
    api.failLists(2);
    const kubeconfig = await api.writeKubeconfig();
    const context = io({ POD_NAMESPACE: 'policygate' });
    const signals = new EventEmitter();
    let listening: (server: RunningServer) => void = () => {};
    const started = new Promise<RunningServer>((resolve) => (listening = resolve));
    const args = ['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--kubeconfig', kubeconfig, '--port', '0', '--host', '127.0.0.1', '--register-webhooks', 'policygate', '--log-level', 'debug'];
    const exit = serve(args, context.io, { signals, onListening: listening, registrationDelayMs: 200, registrationIntervalMs: 100 });
    try {
      const server = await started;
      const tls = { ca: certs.ca.cert };
      // Not ready while the cache has not synced: nothing is registered, however long it waits.
      expect((await httpsRequest(server.port, { path: '/readyz', tls })).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(registered(api)).toEqual([undefined, undefined]);

      // Ready once the cache syncs; the first ready answer (the kubelet's probe) starts the clock.
      await until(() => context.logs().some((line) => line.msg === 'namespace cache synced'), 'the namespace cache');
      expect(registered(api)).toEqual([undefined, undefined]);
      expect((await httpsRequest(server.port, { path: '/readyz', tls })).status).toBe(200);
      await until(() => registered(api).every((configuration) => configuration !== undefined), 'the registration');
      const [validating, mutating] = registered(api);
      const [wantedValidating, wantedMutating] = webhookConfigurations({ service: { namespace: 'policygate', name: 'policygate', port: 443 }, caBundle: certs.ca.cert });
      expect(validating?.webhooks).toEqual(wantedValidating.webhooks);
      expect(mutating?.webhooks).toEqual(wantedMutating.webhooks);

      // Deleted by someone: back within the interval.
      api.objects.get(COLLECTIONS.validatingWebhooks)?.delete('policygate');
      await until(() => registered(api)[0] !== undefined, 'the configuration to come back');
    } finally {
      signals.emit('SIGTERM', 'SIGTERM');
    }
    expect(await exit).toBe(0);
    // One replica going away never switches policy off for the others.
    expect(registered(api).every((configuration) => configuration !== undefined)).toBe(true);
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toEqual([]);
    const messages = context.logs().map((line) => line.msg);
    expect(messages.indexOf('webhook configurations: registering them once this replica is ready')).toBeLessThan(messages.indexOf('webhook configurations: registered'));
    await api.close();
  }, 60_000);

  it.each([
    [['--register-webhooks', 'policygate', '--no-cluster'], '--register-webhooks needs a cluster (--kubeconfig, KUBECONFIG or the in-cluster service account), not --no-cluster'],
    [['--failure-policy', 'Ignore', '--no-cluster'], '--failure-policy goes with --register-webhooks'],
    [['--register-webhooks', 'policygate', '--kubeconfig', 'KUBECONFIG'], '--register-webhooks policygate: give the Service\'s namespace too (NAMESPACE/NAME): this process does not run in a pod whose namespace it could use'],
    [['--register-webhooks', 'gate/policygate', '--kubeconfig', 'KUBECONFIG', '--ca-bundle', 'missing.crt'], 'cannot read --ca-bundle MISSING: ENOENT'],
  ])('refuses %j before starting', async (flags, message) => {
    const api = await startFakeApiServer(certs);
    try {
      const kubeconfig = await api.writeKubeconfig();
      const argv = ['--tls-cert', certs.files.cert, '--tls-key', certs.files.key, '--port', '0', ...flags.map((flag) => (flag === 'KUBECONFIG' ? kubeconfig : flag))];
      const error = await serve(argv, io().io).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(message.replace('MISSING', join(cwd, 'missing.crt')));
    } finally {
      await api.close();
    }
  });
});
