// A generated cluster served by a small HTTPS server on 127.0.0.1: the list (with `limit` and
// `continue`, 410 Gone on an expired token), watch and get calls of the Kubernetes API for the kinds the
// audit reads. Plain JavaScript so that both the tests and `bench/audit.mjs` (which runs on Node without
// a TypeScript loader) use the same server; `fake-cluster.d.mts` types it for the tests.
import { Buffer } from 'node:buffer';
import https from 'node:https';

/** The REST resources served, by the path segment after the group/version. */
const RESOURCES = [
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true },
  // One of the policy CRDs the audit reads: the others are not served here, as in a cluster without them.
  { group: 'cilium.io', version: 'v2', kind: 'CiliumClusterwideNetworkPolicy', resource: 'ciliumclusterwidenetworkpolicies', namespaced: false },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true },
  { group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true },
  { group: '', version: 'v1', kind: 'PodTemplate', resource: 'podtemplates', namespaced: true },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true },
];

/**
 * Resources the periodic audit writes: Leases (leader election) and PolicyReports. Stored as objects
 * and written with the API server's optimistic concurrency: a PUT must carry the stored resourceVersion
 * (409 Conflict otherwise), a POST of an existing name answers 409 AlreadyExists.
 */
const WRITABLE = [
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true },
  { group: 'wgpolicyk8s.io', version: 'v1alpha2', kind: 'PolicyReport', resource: 'policyreports', namespaced: true },
  { group: 'wgpolicyk8s.io', version: 'v1alpha2', kind: 'ClusterPolicyReport', resource: 'clusterpolicyreports', namespaced: false },
  { group: 'openreports.io', version: 'v1alpha1', kind: 'Report', resource: 'reports', namespaced: true },
  { group: 'openreports.io', version: 'v1alpha1', kind: 'ClusterReport', resource: 'clusterreports', namespaced: false },
];

function apiVersionOf(resource) {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

function status(code, reason, message) {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** What etcd takes in one request (its default `--max-request-bytes`, 1.5 MiB): a larger object cannot be stored. */
export const ETCD_REQUEST_LIMIT = 1.5 * 1024 * 1024;

function writtenKey(namespace, name) {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results.';

// ---------------------------------------------------------------------------------------------
// The generated cluster

const pad = (n, width = 4) => String(n).padStart(width, '0');
const CREATED = '2025-01-15T10:00:00Z';

function meta(kind, namespace, name, extra = {}) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: `uid-${namespace ?? '-'}-${kind}-${name}`,
    resourceVersion: '1000',
    creationTimestamp: CREATED,
    ...extra,
  };
}

function controllerRef(apiVersion, kind, namespace, name) {
  return [{ apiVersion, kind, name, uid: `uid-${namespace}-${kind}-${name}`, controller: true, blockOwnerDeletion: true }];
}

/** A container as a real pod spec carries it; `privileged` and `runAsRoot` make it fail baseline / restricted. */
function container(name, { privileged = false, restricted = true } = {}) {
  const securityContext = privileged
    ? { privileged: true }
    : restricted
      ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true }
      : { allowPrivilegeEscalation: false };
  return {
    name,
    image: `registry.example.com/team/${name}:1.4.2`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    securityContext,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function podSpec({ privileged = false, restricted = true, hostNetwork = false, sidecar = false } = {}) {
  return {
    ...(hostNetwork ? { hostNetwork: true } : {}),
    securityContext: restricted ? { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } : {},
    containers: [container('app', { privileged, restricted }), ...(sidecar ? [container('mesh-proxy', { privileged: true })] : [])],
    volumes: [
      { name: 'tmp', emptyDir: {} },
      { name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    schedulerName: 'default-scheduler',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    enableServiceLinks: true,
    priority: 0,
  };
}

function podStatus(index) {
  return {
    phase: 'Running',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: CREATED })),
    hostIP: `10.0.${index % 250}.${(index >> 8) % 250}`,
    podIP: `10.244.${index % 250}.${(index >> 8) % 250}`,
    startTime: CREATED,
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'registry.example.com/team/app:1.4.2', imageID: 'sha256:0123456789abcdef', started: true, state: { running: { startedAt: CREATED } } }],
    qosClass: 'Burstable',
  };
}

function template(labels, options) {
  return { metadata: { labels }, spec: podSpec(options) };
}

/**
 * A cluster of `namespaces` namespaces with `webReplicas` + 4 pods each (10 by default), every pod owned
 * the way controllers own them: a Deployment `web` (`webReplicas` replicas, 6 by default, through a
 * ReplicaSet, plus an old revision scaled to 0), a StatefulSet
 * `db` (2), a CronJob `report` through a Job (1), and one bare Pod `debug`. Findings, by namespace index i:
 * i%7==0 `web` runs privileged (baseline); i%3==0 `debug` uses hostNetwork (baseline); `db` misses
 * restricted settings everywhere; i%11==0 one `web` pod carries an injected privileged sidecar; i%10==0
 * the Namespace lacks its `team` label; i%5==0 its NetworkPolicy admits everyone (else a default-deny that allows DNS); i%4==0 it enforces
 * restricted, i%4==1 baseline; i%50==0 it is lowered by `policygate.dev/mode: warn`.
 */
export function generateCluster(options = {}) {
  return [...clusterObjects(options)];
}

/**
 * The objects of `generateCluster`, one at a time: a large cluster (100,000 pods) handed to
 * `startFakeCluster` this way is only ever held as the JSON it serves.
 */
export function* clusterObjects({ namespaces = 1000, webReplicas = 6 } = {}) {
  let podIndex = 0;
  for (let i = 0; i < namespaces; i++) {
    const ns = `team-${pad(i)}`;
    const labels = { 'kubernetes.io/metadata.name': ns };
    if (i % 10 !== 0) labels.team = `team-${pad(i % 37, 2)}`;
    if (i % 4 === 0) labels['pod-security.kubernetes.io/enforce'] = 'restricted';
    if (i % 4 === 1) labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    if (i % 50 === 0) labels['policygate.dev/mode'] = 'warn';
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: meta('Namespace', undefined, ns, { labels }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };

    yield {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('NetworkPolicy', ns, 'default'),
      // Otherwise the guides' default-deny, DNS allowed (network-isolation's egress-blocks-dns).
      spec:
        i % 5 === 0
          ? { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }
          : { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] },
    };

    // Deployment web → ReplicaSet web-<hash> (6 pods) and an old revision web-<old> scaled to 0.
    const web = { app: 'web' };
    const webOptions = { privileged: i % 7 === 0 };
    yield {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('Deployment', ns, 'web', { labels: web, generation: 3 }),
      spec: { replicas: webReplicas, selector: { matchLabels: web }, template: template(web, webOptions), strategy: { type: 'RollingUpdate' } },
      status: { replicas: webReplicas, readyReplicas: webReplicas, availableReplicas: webReplicas, observedGeneration: 3 },
    };
    const rs = `web-5d8f${pad(i)}`;
    yield {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('ReplicaSet', ns, rs, { labels: web, ownerReferences: controllerRef('apps/v1', 'Deployment', ns, 'web') }),
      spec: { replicas: webReplicas, selector: { matchLabels: web }, template: template(web, webOptions) },
      status: { replicas: webReplicas, readyReplicas: webReplicas },
    };
    yield {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('ReplicaSet', ns, `web-0ld${pad(i)}`, { labels: web, ownerReferences: controllerRef('apps/v1', 'Deployment', ns, 'web') }),
      spec: { replicas: 0, selector: { matchLabels: web }, template: template(web, { privileged: true }) },
      status: { replicas: 0 },
    };
    for (let p = 0; p < webReplicas; p++) {
      const sidecar = i % 11 === 0 && p === 0;
      yield {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('Pod', ns, `${rs}-x${pad(p, 3)}`, { generateName: `${rs}-`, labels: web, ownerReferences: controllerRef('apps/v1', 'ReplicaSet', ns, rs) }),
        spec: { ...podSpec({ ...webOptions, sidecar }), nodeName: `node-${podIndex % 50}` },
        status: podStatus(podIndex++),
      };
    }

    // StatefulSet db (2 pods), short of restricted.
    const db = { app: 'db' };
    yield {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('StatefulSet', ns, 'db', { labels: db }),
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: db }, template: template(db, { restricted: false }) },
      status: { replicas: 2, readyReplicas: 2 },
    };
    for (let p = 0; p < 2; p++) {
      yield {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('Pod', ns, `db-${p}`, { labels: db, ownerReferences: controllerRef('apps/v1', 'StatefulSet', ns, 'db') }),
        spec: { ...podSpec({ restricted: false }), nodeName: `node-${podIndex % 50}` },
        status: podStatus(podIndex++),
      };
    }

    // CronJob report → Job report-28000000 → 1 pod.
    const report = { app: 'report' };
    const job = 'report-28000000';
    const jobTemplate = { metadata: { labels: report }, spec: { ...podSpec(), restartPolicy: 'OnFailure' } };
    yield {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('CronJob', ns, 'report', { labels: report }),
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: jobTemplate } } },
    };
    yield {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('Job', ns, job, { labels: report, ownerReferences: controllerRef('batch/v1', 'CronJob', ns, 'report') }),
      spec: { template: jobTemplate },
      status: { succeeded: 1 },
    };
    yield {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('Pod', ns, `${job}-q7k2p`, { labels: report, ownerReferences: controllerRef('batch/v1', 'Job', ns, job) }),
      spec: { ...podSpec(), restartPolicy: 'OnFailure', nodeName: `node-${podIndex % 50}` },
      status: { ...podStatus(podIndex++), phase: 'Succeeded' },
    };

    // A bare pod nobody owns.
    yield {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('Pod', ns, 'debug', { labels: { app: 'debug' } }),
      spec: { ...podSpec({ hostNetwork: i % 3 === 0 }), nodeName: `node-${podIndex % 50}` },
      status: podStatus(podIndex++),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The server

function resourceFor(apiVersion, kind) {
  return RESOURCES.find((resource) => apiVersionOf(resource) === apiVersion && resource.kind === kind);
}

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/x/deployments`, `/api/v1/namespaces/x` → what is asked. */
function route(pathname) {
  const parts = pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  let group;
  let version;
  let rest;
  if (parts[0] === 'api') [group, version, rest] = ['', parts[1], parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else return undefined;
  let namespace;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = RESOURCES.find((candidate) => candidate.group === group && candidate.version === version && candidate.resource === rest[0]);
  if (!resource) return undefined;
  if (rest.length === 1) return { resource, namespace, name: undefined };
  if (rest.length === 2) return { resource, namespace, name: rest[1] };
  // `/api/v1/namespaces/x` parses as namespace x with no resource: handled by the caller.
  return undefined;
}

export async function startFakeCluster({ cert, key, caCert }, objects = []) {
  const token = 'audit-token';
  /** resource name → items sorted by namespace and name, each with its JSON (without apiVersion and kind, as in a real list). */
  const stores = new Map(RESOURCES.map((resource) => [resource.resource, []]));
  const calls = [];
  const faults = { expireContinues: 0, expirePrefix: '', failures: new Map(), delayMs: 0 };
  let resourceVersion = 1000;
  /** resource name → `namespace/name` (`name` when cluster-scoped) → the stored object (Leases, reports). */
  const written = new Map(WRITABLE.map((resource) => [resource.resource, new Map()]));

  function store(resource, object) {
    resourceVersion++;
    const { namespace: _namespace, ...metadata } = object.metadata ?? {};
    const namespace = resource.namespaced ? object.metadata?.namespace : undefined;
    const stored = {
      ...object,
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        ...metadata,
        ...(namespace !== undefined ? { namespace } : {}),
        resourceVersion: String(resourceVersion),
        uid: metadata.uid ?? `uid-${resource.resource}-${namespace}-${metadata.name}`,
        creationTimestamp: metadata.creationTimestamp ?? CREATED,
      },
    };
    written.get(resource.resource).set(writtenKey(namespace, metadata.name), stored);
    return stored;
  }

  function put(object) {
    const writable = WRITABLE.find((candidate) => apiVersionOf(candidate) === object.apiVersion && candidate.kind === object.kind);
    if (writable) {
      store(writable, structuredClone(object));
      return;
    }
    const resource = resourceFor(object.apiVersion, object.kind);
    if (!resource) throw new Error(`fake cluster: no resource for ${object.apiVersion} ${object.kind}`);
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
    // Only the JSON is kept (as a list serves it): 100,000 pods as objects would weigh gigabytes.
    stores.get(resource.resource).push({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', json: JSON.stringify(rest) });
  }
  /** A stored object as a get or a watch returns it: with its apiVersion and kind. */
  function objectOf(resource, item) {
    return { apiVersion: apiVersionOf(resource), kind: resource.kind, ...JSON.parse(item.json) };
  }
  function sortStores() {
    for (const items of stores.values()) items.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  for (const object of objects) put(object);
  sortStores();

  function list(request, response, resource, namespace, url) {
    const all = stores.get(resource.resource);
    const items = namespace === undefined ? all : all.filter((item) => item.namespace === namespace);
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    let start = 0;
    if (token) {
      if (faults.expireContinues > 0 && url.pathname.startsWith(faults.expirePrefix)) {
        faults.expireContinues--;
        response.writeHead(410).end(status(410, 'Expired', EXPIRED_MESSAGE));
        return;
      }
      try {
        start = JSON.parse(Buffer.from(token, 'base64url').toString()).start;
      } catch {
        response.writeHead(400).end(status(400, 'BadRequest', 'invalid continue token'));
        return;
      }
    }
    const end = limit > 0 ? Math.min(items.length, start + limit) : items.length;
    const page = items.slice(start, end);
    const metadata = { resourceVersion: String(resourceVersion) };
    if (end < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: resourceVersion, start: end })).toString('base64url');
      metadata.remainingItemCount = items.length - end;
    }
    const listKind = `${resource.kind}List`;
    const head = `{"kind":"${listKind}","apiVersion":"${apiVersionOf(resource)}","metadata":${JSON.stringify(metadata)},"items":[`;
    response.end(`${head}${page.map((item) => item.json).join(',')}]}`);
  }

  function watch(response, resource, namespace) {
    response.writeHead(200, { 'transfer-encoding': 'chunked' });
    for (const item of stores.get(resource.resource)) {
      if (namespace !== undefined && item.namespace !== namespace) continue;
      response.write(`${JSON.stringify({ type: 'ADDED', object: objectOf(resource, item) })}\n`);
    }
    openWatches.add(response);
    response.on('close', () => openWatches.delete(response));
  }
  const openWatches = new Set();

  function injectedFailure(pathname, response) {
    for (const [prefix, failure] of faults.failures) {
      if (!pathname.startsWith(prefix) || failure.count === 0) continue;
      failure.count--;
      response.writeHead(failure.status).end(status(failure.status, failure.status === 403 ? 'Forbidden' : 'InternalError', failure.message));
      return true;
    }
    return false;
  }

  /** `/apis/coordination.k8s.io/v1/namespaces/x/leases/name`, `/apis/wgpolicyk8s.io/v1alpha2/policyreports` → what is asked. */
  function writableRoute(pathname) {
    const match = /^\/apis\/([^/]+)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/.exec(pathname);
    if (!match) return undefined;
    const resource = WRITABLE.find((candidate) => candidate.group === match[1] && candidate.version === match[2] && candidate.resource === match[4]);
    if (!resource) return undefined;
    return { resource, namespace: match[3] === undefined ? undefined : decodeURIComponent(match[3]), name: match[5] === undefined ? undefined : decodeURIComponent(match[5]) };
  }

  function matchesSelector(object, selector) {
    if (!selector) return true;
    const labels = object.metadata?.labels ?? {};
    return selector.split(',').every((term) => {
      const [key, value] = term.split('=');
      return labels[key] === value;
    });
  }

  function answerWritable(request, response, target, url, body) {
    const items = written.get(target.resource.resource);
    const key = writtenKey(target.namespace, target.name);
    const notFound = () => response.writeHead(404).end(status(404, 'NotFound', `${target.resource.resource} "${target.name}" not found`));
    if (request.method === 'GET' && target.name === undefined) {
      const all = [...items.values()]
        .filter((item) => target.namespace === undefined || item.metadata.namespace === target.namespace)
        .filter((item) => matchesSelector(item, url.searchParams.get('labelSelector')))
        .sort((a, b) => (writtenKey(a.metadata.namespace, a.metadata.name) < writtenKey(b.metadata.namespace, b.metadata.name) ? -1 : 1));
      const limit = Number(url.searchParams.get('limit') ?? '0');
      const start = Number(url.searchParams.get('continue') || '0');
      const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
      const metadata = { resourceVersion: String(resourceVersion), ...(end < all.length ? { continue: String(end) } : {}) };
      response.end(JSON.stringify({ apiVersion: apiVersionOf(target.resource), kind: `${target.resource.kind}List`, metadata, items: all.slice(start, end) }));
      return;
    }
    if (request.method === 'GET') {
      const item = items.get(key);
      if (!item) return notFound();
      response.end(JSON.stringify(item));
      return;
    }
    if (request.method === 'DELETE') {
      if (!items.delete(key)) return notFound();
      resourceVersion++;
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' }));
      return;
    }
    if (Buffer.byteLength(body) > ETCD_REQUEST_LIMIT) {
      response.writeHead(500).end(status(500, 'InternalError', 'etcdserver: request is too large'));
      return;
    }
    let object;
    try {
      object = JSON.parse(body);
    } catch {
      response.writeHead(400).end(status(400, 'BadRequest', 'the body is not JSON'));
      return;
    }
    if (request.method === 'POST' && target.name === undefined && target.resource.namespaced === (target.namespace !== undefined)) {
      const name = object.metadata?.name;
      if (items.has(writtenKey(target.namespace, name))) {
        response.writeHead(409).end(status(409, 'AlreadyExists', `${target.resource.resource} "${name}" already exists`));
        return;
      }
      const { resourceVersion: _ignored, ...metadata } = object.metadata ?? {};
      response.writeHead(201).end(JSON.stringify(store(target.resource, { ...object, metadata: { ...metadata, namespace: target.namespace } })));
      return;
    }
    if (request.method === 'PUT' && target.name !== undefined) {
      const current = items.get(key);
      if (!current) return notFound();
      const given = object.metadata?.resourceVersion;
      if (given === undefined || given === '') {
        response.writeHead(422).end(status(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'));
        return;
      }
      if (given !== current.metadata.resourceVersion) {
        response.writeHead(409).end(status(409, 'Conflict', `Operation cannot be fulfilled on ${target.resource.resource} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`));
        return;
      }
      response.end(JSON.stringify(store(target.resource, { ...object, metadata: { ...object.metadata, namespace: target.namespace, name: target.name, uid: current.metadata.uid } })));
      return;
    }
    response.writeHead(405).end(status(405, 'MethodNotAllowed', `${request.method} not allowed here`));
  }

  function answer(request, response, body) {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    calls.push(`${request.method} ${url.pathname}${url.search}`);
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401).end(status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const writable = writableRoute(url.pathname);
    if (writable) {
      if (!injectedFailure(url.pathname, response)) answerWritable(request, response, writable, url, body);
      return;
    }
    if (request.method !== 'GET') {
      response.writeHead(405).end(status(405, 'MethodNotAllowed', 'the fake cluster only reads'));
      return;
    }
    const namespaceRead = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    const target = namespaceRead
      ? { resource: RESOURCES[0], namespace: undefined, name: decodeURIComponent(namespaceRead[1]) }
      : route(url.pathname);
    if (!target) {
      response.writeHead(404).end(status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
      return;
    }
    if (injectedFailure(url.pathname, response)) return;
    if (target.name !== undefined) {
      const item = stores.get(target.resource.resource).find((candidate) => candidate.name === target.name && (target.namespace ?? '') === candidate.namespace);
      if (!item) {
        response.writeHead(404).end(status(404, 'NotFound', `${target.resource.resource} "${target.name}" not found`));
        return;
      }
      response.end(JSON.stringify(objectOf(target.resource, item)));
      return;
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      watch(response, target.resource, target.namespace);
      return;
    }
    list(request, response, target.resource, target.namespace, url);
  }

  const server = https.createServer({ cert, key }, (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (faults.delayMs > 0) setTimeout(() => answer(request, response, body), faults.delayMs);
      else answer(request, response, body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const url = `https://127.0.0.1:${port}`;

  return {
    url,
    port,
    token,
    calls,
    /** The kubeconfig of this server, as YAML (JSON is YAML). */
    kubeconfig() {
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: url, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } }],
        users: [{ name: 'fake', user: { token } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
        'current-context': 'fake',
      });
    },
    add(...more) {
      for (const object of more) put(object);
      sortStores();
      resourceVersion++;
    },
    /** The next `count` requests that carry a continue token (on paths starting with `prefix`) answer 410 Gone (Expired). */
    expireContinues(count, prefix = '') {
      faults.expireContinues = count;
      faults.expirePrefix = prefix;
    },
    /** The next `count` requests whose path starts with `prefix` answer `status`. */
    fail(prefix, statusCode, count = Infinity, message = 'refused by the fake cluster') {
      faults.failures.set(prefix, { status: statusCode, count, message });
    },
    set delayMs(value) {
      faults.delayMs = value;
    },
    /** The stored Leases or PolicyReports (`resource`: `leases`, `policyreports`), by `namespace/name`. */
    stored(resource) {
      return structuredClone(Object.fromEntries(written.get(resource)));
    },
    async close() {
      for (const response of openWatches) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
