// Shared by the audit tests: a fake cluster over HTTPS with throwaway certificates, and objects to seed it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeLister, type ClusterLister } from '../../src/audit/index.js';
import type { CommandIO } from '../../src/cli/command.js';
import type { KubeObject } from '../../src/rules/types.js';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { startFakeCluster, type FakeCluster } from './fake-cluster.mjs';

export interface TestCluster {
  fake: FakeCluster;
  certs: TestCertificates;
  kubeConfig: KubeConfig;
  lister: ClusterLister;
  /** A kubeconfig file for this cluster. */
  kubeconfigFile: string;
  close(): Promise<void>;
}

export async function startTestCluster(objects: KubeObject[]): Promise<TestCluster> {
  const certs = await makeTestCertificates();
  const fake = await startFakeCluster({ cert: certs.serving.cert, key: certs.serving.key, caCert: certs.ca.cert }, objects);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fake.kubeconfig());
  const kubeconfigFile = join(certs.dir, 'audit-kubeconfig.yaml');
  await writeFile(kubeconfigFile, fake.kubeconfig());
  return {
    fake,
    certs,
    kubeConfig,
    lister: kubeLister(kubeConfig),
    kubeconfigFile,
    async close() {
      await fake.close();
      await certs.cleanup();
    },
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A kubeconfig file for a server that is not there. */
export async function unreachableKubeconfig(): Promise<{ file: string; server: string; cleanup(): Promise<void> }> {
  const server = `https://127.0.0.1:${await closedPort()}`;
  const dir = await mkdtemp(join(tmpdir(), 'policygate-audit-'));
  const file = join(dir, 'kubeconfig.yaml');
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'gone', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'gone', user: { token: 'x' } }],
      contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'gone' } }],
      'current-context': 'gone',
    }),
  );
  return { file, server, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CapturedIO extends CommandIO {
  out(): string;
  err(): string;
}

/** A CommandIO whose stdout and stderr are captured; `tty` makes stderr claim to be a terminal. */
export function captureIO(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): CapturedIO {
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }) as Writable & { isTTY?: boolean };
    return { stream, text: () => chunks.join('') };
  };
  const stdout = sink();
  const stderr = sink();
  if (options.tty) stderr.stream.isTTY = true;
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: process.stdin,
    env: options.env ?? {},
    cwd: process.cwd(),
    out: stdout.text,
    err: stderr.text,
  };
}

// ---------------------------------------------------------------------------------------------
// Objects

export function namespace(name: string, labels: Record<string, string> = { team: 'a' }): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-ns-${name}`, labels } };
}

interface OwnerLink {
  kind: string;
  apiVersion: string;
  name: string;
}

function ownerRefs(namespaceName: string, owner: OwnerLink | undefined) {
  return owner ? [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: `uid-${namespaceName}-${owner.kind}-${owner.name}`, controller: true }] : undefined;
}

export function podSpec(options: { privileged?: boolean; sidecar?: boolean } = {}) {
  const container = (name: string, privileged: boolean) => ({
    name,
    image: name,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...(privileged ? { privileged: true } : {}) },
  });
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container('app', options.privileged ?? false), ...(options.sidecar ? [container('proxy', true)] : [])],
  };
}

export function workload(
  apiVersion: string,
  kind: string,
  namespaceName: string,
  name: string,
  options: { privileged?: boolean; owner?: OwnerLink; replicas?: number } = {},
): KubeObject {
  const template = { metadata: { labels: { app: name } }, spec: podSpec(options) };
  const spec = kind === 'CronJob' ? { schedule: '@daily', jobTemplate: { spec: { template } } } : { replicas: options.replicas ?? 1, template };
  const ownerReferences = ownerRefs(namespaceName, options.owner);
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: namespaceName, uid: `uid-${namespaceName}-${kind}-${name}`, ...(ownerReferences ? { ownerReferences } : {}) },
    spec,
  };
}

export function pod(namespaceName: string, name: string, options: { privileged?: boolean; sidecar?: boolean; owner?: OwnerLink } = {}): KubeObject {
  const ownerReferences = ownerRefs(namespaceName, options.owner);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: namespaceName, uid: `uid-${namespaceName}-Pod-${name}`, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: podSpec(options),
  };
}

export const owner = (apiVersion: string, kind: string, name: string): OwnerLink => ({ apiVersion, kind, name });
