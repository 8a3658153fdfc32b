// The Deployment's own container args, run for real: `policygate serve` (the built CLI) started with the
// rendered args, the ConfigMap's file and the certificates `policygate certs` wrote, answers the
// probes' paths over HTTPS and the webhooks' paths with a verdict. Every call trusts only what the pods
// register as the webhooks' caBundle (ca.crt of the TLS Secret) and checks the certificate's name
// against the Service's DNS name (<service>.<namespace>.svc), as the API server does. Only the file
// paths and the port are moved to this machine, and --no-cluster added: there is no cluster here to
// watch Namespaces in, nor to register webhooks with (test/server/register-webhooks.test.ts does that).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookConfigurations } from '../../src/webhooks/configurations.js';
import { REPO, deployWithCertificates, kustomize, one, type Manifest } from './render.js';

let deploy: Awaited<ReturnType<typeof deployWithCertificates>>;
let server: ChildProcess | undefined;
let port = 0;
let ca = '';
let serviceHost = '';
let probes: { readiness: string; liveness: string } = { readiness: '', liveness: '' };
let webhookPaths: string[] = [];
let output = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function call(method: 'GET' | 'POST', path: string, body?: unknown, servername = serviceHost): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        // The name the API server connects to (SNI, and the name the certificate is checked against by
        // Node's default checkServerIdentity): the certificate must be valid for it.
        servername,
        // A fresh connection per call: a kept-alive socket would skip the handshake being tested.
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: 5_000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(payload);
  });
}

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'cli', 'serve.js'))) throw new Error('dist/cli/serve.js is missing: run `npm run build` first (`npm test` does)');
  deploy = await deployWithCertificates();
  const objects = kustomize(deploy.selfManaged);
  const deployment = one(objects, 'Deployment');
  const service = one(objects, 'Service');
  serviceHost = `${service.metadata.name}.${service.metadata.namespace}.svc`;
  const [container] = deployment.spec.template.spec.containers as Manifest[];
  const mounts = container?.volumeMounts as { name: string; mountPath: string }[];
  const volumes = deployment.spec.template.spec.volumes as Manifest[];

  // Each mounted volume becomes a directory here, holding what the cluster would put in it.
  const root = join(deploy.root, 'pod');
  const local = new Map<string, string>();
  for (const mount of mounts) {
    const volume = volumes.find((candidate) => candidate.name === mount.name) as Manifest;
    const dir = join(root, mount.name);
    await mkdir(dir, { recursive: true });
    local.set(mount.mountPath, dir);
    if (volume.configMap) {
      for (const [file, text] of Object.entries(one(objects, 'ConfigMap', volume.configMap.name).data as Record<string, string>)) await writeFile(join(dir, file), text);
    }
    if (volume.secret) {
      for (const [file, data] of Object.entries(one(objects, 'Secret', volume.secret.secretName).data as Record<string, string>)) {
        await writeFile(join(dir, file), Buffer.from(data, 'base64'), { mode: 0o600 });
      }
    }
  }
  // What the API server trusts: the caBundle the pods register, ca.crt of the TLS Secret (serve's default,
  // beside --tls-cert), and the paths the registered webhooks call.
  const secret = (volumes.find((volume) => volume.secret) as Manifest).secret.secretName as string;
  ca = Buffer.from(one(objects, 'Secret', secret).data['ca.crt'] as string, 'base64').toString('utf8');
  expect(ca).toContain('-----BEGIN CERTIFICATE-----');
  const registered = webhookConfigurations({ service: { namespace: service.metadata.namespace as string, name: service.metadata.name } });
  port = await freePort();
  const containerPort = String((container?.ports as { containerPort: number }[])[0]?.containerPort);
  // Registration needs a cluster: its flag (and its value) go, as --no-cluster comes.
  const rendered = container?.args as string[];
  const withoutRegistration = rendered.filter((arg, index) => arg !== '--register-webhooks' && rendered[index - 1] !== '--register-webhooks');
  expect(withoutRegistration).toHaveLength(rendered.length - 2);
  const args = withoutRegistration.map((arg) => {
    if (arg === containerPort) return String(port);
    for (const [mountPath, dir] of local) if (arg.startsWith(`${mountPath}/`)) return join(dir, arg.slice(mountPath.length + 1));
    return arg;
  });
  probes = { readiness: container?.readinessProbe.httpGet.path, liveness: container?.livenessProbe.httpGet.path };
  webhookPaths = registered.map((configuration) => configuration.webhooks[0].clientConfig.service.path);

  server = spawn(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'bin', 'policygate.js'), ...args, '--no-cluster'], { cwd: deploy.root, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`policygate serve exited ${server.exitCode}:\n${output}`);
    const ready = await call('GET', probes.readiness).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`policygate serve did not become ready on ${probes.readiness}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  await deploy?.remove();
});

const review = (object: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'a1b2', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, namespace: 'default', operation: 'CREATE', object },
});

describe("the Deployment's container, run with its own args", () => {
  it('answers both probes over HTTPS with a certificate the caBundle trusts for the Service name', async () => {
    expect((await call('GET', probes.readiness)).status).toBe(200);
    expect((await call('GET', probes.liveness)).status).toBe(200);
  });

  it('is refused under a name the certificate does not hold: the name is really checked', async () => {
    const [name, namespace] = serviceHost.split('.');
    await expect(call('GET', probes.readiness, undefined, `${name}.not-${namespace}.svc`)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('gives a verdict on the webhook paths', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox', securityContext: { privileged: true } }] } };
    const [validate, mutate] = webhookPaths;
    const denied = await call('POST', validate as string, review(pod));
    expect(denied.status).toBe(200);
    expect(JSON.parse(denied.text)).toMatchObject({ response: { uid: 'a1b2', allowed: false, status: { code: 403 } } });
    const mutated = await call('POST', mutate as string, review(pod));
    expect(JSON.parse(mutated.text)).toMatchObject({ response: { uid: 'a1b2', allowed: true } });
  });
});
