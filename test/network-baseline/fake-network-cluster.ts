// A small HTTPS API server on 127.0.0.1 for the network baseline: Namespaces (list, watch, get),
// NetworkPolicies (list across namespaces or in one, with label and name selectors; watch; create with
// 409 for an existing name, 404 for a missing namespace and 403 for a terminating one; update with the
// resourceVersion check) and Leases (get, create, update), as the real API server answers them.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { TestCertificates } from '../server/helpers.js';

type Json = Record<string, any>;

export interface FakeNetworkCluster {
  url: string;
  /** Every request, as `METHOD /path?query`. */
  calls: string[];
  kubeConfig(): KubeConfig;
  addNamespace(name: string, options?: { terminating?: boolean; labels?: Record<string, string> }): void;
  /** Stores a NetworkPolicy as if someone applied it (no call is recorded). */
  putPolicy(object: Json): void;
  deletePolicy(namespace: string, name: string): void;
  policy(namespace: string, name: string): Json | undefined;
  policies(): Json[];
  /** The POSTs of NetworkPolicies, as `namespace/name`, answered 201. */
  created: string[];
  close(): Promise<void>;
}

const TOKEN = 'baseline-token';

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** `a=b,c` (equality and existence), the only forms the baseline sends. */
function matchesLabels(selector: string | null, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    if (key === undefined) return true;
    return value === undefined ? labels?.[key] !== undefined : labels?.[key] === value;
  });
}

function matchesFields(selector: string | null, object: Json): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=');
    return field === 'metadata.name' ? object.metadata?.name === value : true;
  });
}

async function bodyOf(request: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
}

export async function startFakeNetworkCluster(certs: TestCertificates): Promise<FakeNetworkCluster> {
  let resourceVersion = 1000;
  const namespaces = new Map<string, Json>();
  const policies = new Map<string, Json>();
  const leases = new Map<string, Json>();
  const watches = new Set<{ kind: 'namespaces' | 'networkpolicies'; labelSelector: string | null; response: ServerResponse }>();
  const calls: string[] = [];
  const created: string[] = [];

  // Every event, so that a watch from a list's resourceVersion gets what happened since, as the API
  // server's watch cache gives it: a change between the list and the watch is never lost.
  const history: Array<{ kind: 'namespaces' | 'networkpolicies'; type: string; object: Json }> = [];

  const next = () => String(++resourceVersion);
  const tell = (kind: 'namespaces' | 'networkpolicies', type: string, object: Json) => {
    history.push({ kind, type, object });
    for (const watch of watches) {
      if (watch.kind === kind && matchesLabels(watch.labelSelector, object.metadata?.labels)) watch.response.write(`${JSON.stringify({ type, object })}\n`);
    }
  };
  const list = (kind: string, items: Json[]) => JSON.stringify({ apiVersion: 'v1', kind, metadata: { resourceVersion: String(resourceVersion) }, items });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    calls.push(`${request.method} ${url.pathname}${url.search}`);
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end(status(401, 'Unauthorized', 'Unauthorized'));
    const watch = url.searchParams.get('watch') === 'true';
    const labelSelector = url.searchParams.get('labelSelector');
    const fieldSelector = url.searchParams.get('fieldSelector');
    const openWatch = (kind: 'namespaces' | 'networkpolicies') => {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      response.flushHeaders();
      const since = Number(url.searchParams.get('resourceVersion') ?? Number.NaN);
      if (!Number.isNaN(since)) {
        for (const event of history) {
          if (event.kind === kind && Number(event.object.metadata?.resourceVersion) > since && matchesLabels(labelSelector, event.object.metadata?.labels)) {
            response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
          }
        }
      }
      const entry = { kind, labelSelector, response };
      watches.add(entry);
      response.on('close', () => watches.delete(entry));
    };
    const path = url.pathname;

    if (path === '/api/v1/namespaces') {
      if (watch) return openWatch('namespaces');
      return void response.end(list('NamespaceList', [...namespaces.values()]));
    }
    let match = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (match) {
      const namespace = namespaces.get(decodeURIComponent(match[1] ?? ''));
      return void (namespace ? response.end(JSON.stringify(namespace)) : response.writeHead(404).end(status(404, 'NotFound', 'namespace not found')));
    }
    if (path === '/apis/networking.k8s.io/v1/networkpolicies') {
      if (watch) return openWatch('networkpolicies');
      const items = [...policies.values()].filter((policy) => matchesLabels(labelSelector, policy.metadata.labels) && matchesFields(fieldSelector, policy));
      return void response.end(list('NetworkPolicyList', items));
    }
    match = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies(?:\/([^/]+))?$/.exec(path);
    if (match) {
      const namespaceName = decodeURIComponent(match[1] ?? '');
      const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      if (request.method === 'GET' && name === undefined) {
        const items = [...policies.values()].filter((policy) => policy.metadata.namespace === namespaceName && matchesLabels(labelSelector, policy.metadata.labels) && matchesFields(fieldSelector, policy));
        return void response.end(list('NetworkPolicyList', items));
      }
      if (request.method === 'POST') {
        const object = await bodyOf(request);
        const namespace = namespaces.get(namespaceName);
        if (!namespace) return void response.writeHead(404).end(status(404, 'NotFound', `namespaces "${namespaceName}" not found`));
        if (namespace.status?.phase === 'Terminating') {
          return void response.writeHead(403).end(status(403, 'Forbidden', `unable to create new content in namespace ${namespaceName} because it is being terminated`));
        }
        const key = `${namespaceName}/${object.metadata?.name}`;
        if (policies.has(key)) return void response.writeHead(409).end(status(409, 'AlreadyExists', `networkpolicies "${object.metadata?.name}" already exists`));
        const stored = { ...object, metadata: { ...object.metadata, namespace: namespaceName, resourceVersion: next(), uid: `uid-${key}` } };
        policies.set(key, stored);
        created.push(key);
        tell('networkpolicies', 'ADDED', stored);
        return void response.writeHead(201).end(JSON.stringify(stored));
      }
      if (request.method === 'PUT' && name !== undefined) {
        const object = await bodyOf(request);
        const key = `${namespaceName}/${name}`;
        const current = policies.get(key);
        if (!current) return void response.writeHead(404).end(status(404, 'NotFound', 'not found'));
        if (object.metadata?.resourceVersion !== current.metadata.resourceVersion) return void response.writeHead(409).end(status(409, 'Conflict', 'the object has been modified'));
        const stored = { ...object, metadata: { ...object.metadata, resourceVersion: next() } };
        policies.set(key, stored);
        tell('networkpolicies', 'MODIFIED', stored);
        return void response.end(JSON.stringify(stored));
      }
    }
    match = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(path);
    if (match) {
      const key = `${match[1]}/${match[2] ?? ''}`;
      if (request.method === 'GET') {
        const lease = leases.get(key);
        return void (lease ? response.end(JSON.stringify(lease)) : response.writeHead(404).end(status(404, 'NotFound', 'lease not found')));
      }
      const object = await bodyOf(request);
      if (request.method === 'POST') {
        const postKey = `${match[1]}/${object.metadata?.name}`;
        if (leases.has(postKey)) return void response.writeHead(409).end(status(409, 'AlreadyExists', 'exists'));
        const stored = { ...object, metadata: { ...object.metadata, resourceVersion: next() } };
        leases.set(postKey, stored);
        return void response.writeHead(201).end(JSON.stringify(stored));
      }
      if (request.method === 'PUT') {
        const current = leases.get(key);
        if (!current || current.metadata.resourceVersion !== object.metadata?.resourceVersion) return void response.writeHead(409).end(status(409, 'Conflict', 'modified'));
        const stored = { ...object, metadata: { ...object.metadata, resourceVersion: next() } };
        leases.set(key, stored);
        return void response.end(JSON.stringify(stored));
      }
    }
    response.writeHead(404).end(status(404, 'NotFound', `no route for ${request.method} ${path}`));
  }

  const server = https.createServer({ cert: certs.serving.cert, key: certs.serving.key }, (request, response) => {
    handle(request, response).catch((error: unknown) => response.writeHead(500).end(status(500, 'InternalError', String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    calls,
    created,
    kubeConfig() {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: `https://127.0.0.1:${port}`, caData: Buffer.from(certs.ca.cert).toString('base64') }],
        users: [{ name: 'fake', token: TOKEN }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
        currentContext: 'fake',
      });
      return kubeConfig;
    },
    addNamespace(name, options = {}) {
      const object = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { ...options.labels, 'kubernetes.io/metadata.name': name }, resourceVersion: next(), ...(options.terminating ? { deletionTimestamp: '2026-12-01T00:00:00Z' } : {}) },
        status: { phase: options.terminating ? 'Terminating' : 'Active' },
      };
      const existed = namespaces.has(name);
      namespaces.set(name, object);
      tell('namespaces', existed ? 'MODIFIED' : 'ADDED', object);
    },
    putPolicy(object) {
      const key = `${object.metadata.namespace}/${object.metadata.name}`;
      const existed = policies.has(key);
      const stored = { ...object, metadata: { ...object.metadata, resourceVersion: next() } };
      policies.set(key, stored);
      tell('networkpolicies', existed ? 'MODIFIED' : 'ADDED', stored);
    },
    deletePolicy(namespace, name) {
      const key = `${namespace}/${name}`;
      const object = policies.get(key);
      if (!object) return;
      policies.delete(key);
      tell('networkpolicies', 'DELETED', { ...object, metadata: { ...object.metadata, resourceVersion: next() } });
    },
    policy: (namespace, name) => policies.get(`${namespace}/${name}`),
    policies: () => [...policies.values()],
    async close() {
      for (const watch of watches) watch.response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
