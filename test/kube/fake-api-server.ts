// A small HTTPS server on 127.0.0.1 that answers the Kubernetes calls the server makes: list Namespaces,
// watch them (a chunked stream of JSON lines the test pushes events into), and read one; answer
// SubjectAccessReviews (policy-label-guard) with a decision the test sets; and keep webhook
// configurations and ClusterRoles as an API server does (create, read, update with optimistic
// concurrency, delete), for the registration of policygate's own webhooks.
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

/** What a SubjectAccessReview asks: its spec, as sent. */
export interface AccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: { group?: string; resource?: string; verb?: string; name?: string; namespace?: string };
}

/** A stored object: what the test reads back, with the metadata the server added. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid: string; resourceVersion: string; [field: string]: unknown };
  [field: string]: unknown;
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
  /** SubjectAccessReviews received, in order. */
  accessReviews: AccessReviewSpec[];
  /** The authorizer: by default only system:masters is allowed anything, as RBAC with no bindings. */
  authorize: (spec: AccessReviewSpec) => { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
  /** SubjectAccessReviews answer this status (0: normally). */
  accessReviewStatus: number;
  /** SubjectAccessReviews wait this long before answering. */
  accessReviewDelayMs: number;
  /**
   * Cluster-scoped objects kept by their collection path (`/apis/<group>/<version>/<resource>`): create
   * (POST; 409 AlreadyExists), read (GET; 404), replace (PUT; 409 Conflict on a stale resourceVersion)
   * and delete. Only the collections in `collections` are served.
   */
  objects: Map<string, Map<string, StoredObject>>;
  /** Writes (POST, PUT, DELETE) to those collections answer this status (0: normally). */
  writeStatus: number;
  /** Puts an object straight into a collection, as another client would (a new uid and resourceVersion). */
  put(collection: string, object: { metadata: { name: string; [field: string]: unknown }; [field: string]: unknown }): StoredObject;
  get(collection: string, name: string): StoredObject | undefined;
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

/** The collections `objects` serves. */
export const COLLECTIONS = {
  validatingWebhooks: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
  mutatingWebhooks: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  clusterRoles: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
} as const;

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
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
  let uids = 0;
  const objects = new Map<string, Map<string, StoredObject>>(Object.values(COLLECTIONS).map((collection) => [collection, new Map()]));
  function store(collection: string, object: { metadata: { name: string; [field: string]: unknown }; [field: string]: unknown }, uid?: string): StoredObject {
    resourceVersion++;
    const stored = structuredClone(object) as StoredObject;
    stored.metadata = { ...stored.metadata, uid: uid ?? `uid-${++uids}`, resourceVersion: String(resourceVersion) };
    objects.get(collection)?.set(stored.metadata.name, stored);
    return stored;
  }

  async function serveObjects(method: string, collection: string, name: string | undefined, request: import('node:http').IncomingMessage, response: ServerResponse): Promise<void> {
    const kept = objects.get(collection) as Map<string, StoredObject>;
    if (method === 'GET' && name !== undefined) {
      const found = kept.get(name);
      if (!found) response.writeHead(404).end(status(404, `"${name}" not found`, 'NotFound'));
      else response.end(JSON.stringify(found));
      return;
    }
    if (method === 'GET') {
      response.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: String(resourceVersion) }, items: [...kept.values()] }));
      return;
    }
    if (fake.writeStatus !== 0) {
      response.writeHead(fake.writeStatus).end(status(fake.writeStatus, 'write refused', fake.writeStatus === 403 ? 'Forbidden' : 'InternalError'));
      return;
    }
    const body = method === 'DELETE' ? undefined : (JSON.parse(await readBody(request)) as StoredObject);
    if (method === 'POST' && body && name === undefined) {
      if (kept.has(body.metadata.name)) {
        response.writeHead(409).end(status(409, `"${body.metadata.name}" already exists`, 'AlreadyExists'));
        return;
      }
      response.writeHead(201).end(JSON.stringify(store(collection, body)));
      return;
    }
    const current = name === undefined ? undefined : kept.get(name);
    if (!current || name === undefined) {
      response.writeHead(404).end(status(404, `"${name ?? ''}" not found`, 'NotFound'));
      return;
    }
    if (method === 'DELETE') {
      kept.delete(name);
      response.end(status(200, 'deleted', 'Success'));
      return;
    }
    if (method === 'PUT' && body) {
      if (body.metadata.resourceVersion !== current.metadata.resourceVersion) {
        response.writeHead(409).end(status(409, `the object has been modified; please apply your changes to the latest version and try again`, 'Conflict'));
        return;
      }
      response.end(JSON.stringify(store(collection, body, current.metadata.uid)));
      return;
    }
    response.writeHead(405).end(status(405, 'method not allowed', 'MethodNotAllowed'));
  }

  const server = https.createServer({ cert: certs.serving.cert, key: certs.serving.key }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    calls.push(`${request.method} ${url.pathname}${url.searchParams.has('watch') ? '?watch=true' : ''}`);
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401).end(status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (request.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
      void readBody(request).then((text) => {
        const review = JSON.parse(text) as { spec: AccessReviewSpec };
        fake.accessReviews.push(review.spec);
        setTimeout(() => {
          if (fake.accessReviewStatus !== 0) {
            response.writeHead(fake.accessReviewStatus).end(status(fake.accessReviewStatus, 'subjectaccessreviews.authorization.k8s.io is forbidden', 'Forbidden'));
            return;
          }
          response.writeHead(201).end(JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: review.spec, status: fake.authorize(review.spec) }));
        }, fake.accessReviewDelayMs);
      });
      return;
    }
    const collection = Object.values(COLLECTIONS).find((candidate) => url.pathname === candidate || url.pathname.startsWith(`${candidate}/`));
    if (collection) {
      const rest = url.pathname.slice(collection.length + 1);
      void serveObjects(request.method ?? 'GET', collection, rest === '' ? undefined : decodeURIComponent(rest), request, response);
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
    accessReviews: [],
    authorize: (spec) => ({ allowed: (spec.groups ?? []).includes('system:masters') }),
    accessReviewStatus: 0,
    accessReviewDelayMs: 0,
    objects,
    writeStatus: 0,
    put: (collection, object) => store(collection, object),
    get: (collection, name) => objects.get(collection)?.get(name),
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
