// A small HTTPS server on 127.0.0.1 that answers the Kubernetes calls the namespace cache makes: list
// Namespaces, watch them (a chunked stream of JSON lines the test pushes events into), and read one.
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { TestCertificates } from '../server/helpers.js';

export interface FakeNamespace {
  name: string;
  labels?: Record<string, string>;
}

export interface FakeApiServer {
  port: number;
  url: string;
  token: string;
  /** Calls received, as `GET /api/v1/namespaces?watch=true` etc. */
  calls: string[];
  kubeConfig(): KubeConfig;
  /** Writes a kubeconfig file for this server into the certificates' dir and returns its path. */
  writeKubeconfig(): Promise<string>;
  /** Sets a namespace and tells the open watches (ADDED or MODIFIED), unless `silently`. */
  upsert(namespace: FakeNamespace, silently?: boolean): void;
  remove(name: string): void;
  /** The next `count` list calls fail with this status. */
  failLists(count: number, status?: number): void;
  /** Direct reads answer this status (0: normally). */
  readStatus: number;
  /** Direct reads wait this long before answering. */
  readDelayMs: number;
  /** Ends every open watch stream (as an API server does at its request timeout). */
  endWatches(): void;
  openWatches(): number;
  close(): Promise<void>;
}

function namespaceObject(namespace: FakeNamespace, resourceVersion: number) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace.name, labels: namespace.labels ?? {}, resourceVersion: String(resourceVersion), uid: `uid-${namespace.name}` },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function status(code: number, message: string, reason: string) {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Status', status: 'Failure', message, reason, code });
}

export async function startFakeApiServer(certs: TestCertificates, initial: FakeNamespace[] = []): Promise<FakeApiServer> {
  const namespaces = new Map(initial.map((namespace) => [namespace.name, namespace]));
  let resourceVersion = 100;
  const watches = new Set<ServerResponse>();
  const calls: string[] = [];
  let listFailures = 0;
  let listFailureStatus = 500;
  const token = 'fake-token';

  const server = https.createServer({ cert: certs.serving.cert, key: certs.serving.key }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    calls.push(`${request.method} ${url.pathname}${url.searchParams.has('watch') ? '?watch=true' : ''}`);
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401).end(status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (url.pathname === '/api/v1/namespaces' && url.searchParams.get('watch') === 'true') {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      response.flushHeaders();
      watches.add(response);
      response.on('close', () => watches.delete(response));
      return;
    }
    if (url.pathname === '/api/v1/namespaces') {
      if (listFailures > 0) {
        listFailures--;
        response.writeHead(listFailureStatus).end(status(listFailureStatus, 'etcd is having a bad day', 'InternalError'));
        return;
      }
      const items = [...namespaces.values()].map((namespace) => namespaceObject(namespace, resourceVersion));
      response.end(JSON.stringify({ apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion: String(resourceVersion) }, items }));
      return;
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const name = decodeURIComponent(match[1] ?? '');
      setTimeout(() => {
        if (fake.readStatus !== 0) {
          response.writeHead(fake.readStatus).end(status(fake.readStatus, 'read refused', 'Forbidden'));
          return;
        }
        const namespace = namespaces.get(name);
        if (!namespace) {
          response.writeHead(404).end(status(404, `namespaces "${name}" not found`, 'NotFound'));
          return;
        }
        response.end(JSON.stringify(namespaceObject(namespace, resourceVersion)));
      }, fake.readDelayMs);
      return;
    }
    response.writeHead(404).end(status(404, 'not found', 'NotFound'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  function tell(type: 'ADDED' | 'MODIFIED' | 'DELETED', namespace: FakeNamespace): void {
    const line = `${JSON.stringify({ type, object: namespaceObject(namespace, resourceVersion) })}\n`;
    for (const watch of watches) watch.write(line);
  }

  const fake: FakeApiServer = {
    port,
    url: `https://127.0.0.1:${port}`,
    token,
    calls,
    readStatus: 0,
    readDelayMs: 0,
    kubeConfig() {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: `https://127.0.0.1:${port}`, caData: Buffer.from(certs.ca.cert).toString('base64') }],
        users: [{ name: 'fake', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
        currentContext: 'fake',
      });
      return kubeConfig;
    },
    async writeKubeconfig() {
      const file = join(certs.dir, 'kubeconfig.yaml');
      await writeFile(file, fake.kubeConfig().exportConfig());
      return file;
    },
    upsert(namespace, silently = false) {
      resourceVersion++;
      const type = namespaces.has(namespace.name) ? 'MODIFIED' : 'ADDED';
      namespaces.set(namespace.name, namespace);
      if (!silently) tell(type, namespace);
    },
    remove(name) {
      const namespace = namespaces.get(name);
      if (!namespace) return;
      resourceVersion++;
      namespaces.delete(name);
      tell('DELETED', namespace);
    },
    failLists(count, code = 500) {
      listFailures = count;
      listFailureStatus = code;
    },
    endWatches() {
      for (const watch of watches) watch.end();
    },
    openWatches: () => watches.size,
    async close() {
      for (const watch of watches) watch.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
