// The webhook's throughput and latency over TLS, against a bare fastify HTTPS server measured in the
// same run. Both servers get the same EC P-256 certificate and the same load: realistic 6–10 KB
// AdmissionReviews (pods as a ReplicaSet controller creates them, namespace and network policy
// creates and updates with `oldObject`, a quarter of them denied under the default configuration),
// POSTed to /validate over 10 keep-alive HTTP/1.1 connections by a closed-loop client. The bare
// server only parses the body and echoes the uid; policygate is the shipped binary
// (`bin/policygate.js serve`, dist/), logging one JSON line per decision and counting metrics,
// without a cluster.
//
// On a machine with two or more cores the server runs pinned to core 0 and the client to core 1
// (`taskset`), so the client never competes with the server. The client checks every answer: HTTP
// 200 and the request's own uid (each request carries a fresh one); it also notes which of the 40
// reviews were answered `"allowed":false`, and the report flags policygate denying any other set
// than the intended one (the bare server allows everything).
//
//   npm run bench -- webhook                       BENCH_SECONDS=8 BENCH_WARMUP_SECONDS=2 BENCH_ROUNDS=2
//
// Rounds alternate bare, policygate, bare, policygate...; the best round of each is compared (other
// load on a shared machine only ever slows a round down).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
export const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node')) ? join(ROOT, 'node_modules', '.bin', 'node') : process.execPath;
const CONNECTIONS = 10;
const UID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

// ---------------------------------------------------------------------------------------------
// The reviews

function seeded(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** kube-controller-manager's managedFields entry for a pod it created from a ReplicaSet (shape as the API server stores it). */
function podManagedFields(containers) {
  const fields = { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:team': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"6c1f5c55-2b8e-4f0e-9d8f-3f3f2d6b1a10"}': {} } }, 'f:spec': { 'f:containers': {} } };
  for (const container of containers) {
    fields['f:spec']['f:containers'][`k:{"name":"${container.name}"}`] = {
      '.': {},
      'f:env': Object.fromEntries((container.env ?? []).map((env) => [`k:{"name":"${env.name}"}`, { '.': {}, 'f:name': {}, 'f:value': {} }])),
      'f:image': {},
      'f:imagePullPolicy': {},
      'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} }, 'f:periodSeconds': {} },
      'f:name': {},
      'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
      'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
      'f:securityContext': {},
      'f:terminationMessagePath': {},
      'f:volumeMounts': {},
    };
  }
  return [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-11-20T09:14:03Z', fieldsType: 'FieldsV1', fieldsV1: fields }];
}

function container(name, index, compliant, random) {
  return {
    name,
    image: `registry.example.com/payments/${name}:2.${index % 9}.${Math.floor(random() * 40)}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'HTTP_PORT', value: '8080' },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
      { name: 'DATABASE_HOST', value: 'payments-db.payments.svc.cluster.local' },
      { name: 'FEATURE_FLAGS', value: 'checkout-v2,async-refunds,ledger-batching' },
    ],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'config', mountPath: '/etc/payments', readOnly: true },
      { name: 'kube-api-access-7xk2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: compliant
      ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true }
      : { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } },
  };
}

function podObject(index, compliant, random) {
  const containers = [container('api', index, compliant, random), container('worker', index + 1, true, random)];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `payments-api-7d9c6b5f8-`,
      namespace: `payments-${index % 7}`,
      labels: { app: 'payments-api', team: 'payments', 'pod-template-hash': '7d9c6b5f8' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T09:13:58Z', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-api-7d9c6b5f8', uid: '6c1f5c55-2b8e-4f0e-9d8f-3f3f2d6b1a10', controller: true, blockOwnerDeletion: true }],
      managedFields: podManagedFields(containers),
    },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers,
      volumes: [
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        { name: 'config', configMap: { name: 'payments-api', defaultMode: 420 } },
        {
          name: 'kube-api-access-7xk2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'payments-api',
      schedulerName: 'default-scheduler',
      enableServiceLinks: false,
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

function lastApplied(object) {
  const { managedFields: _, ...metadata } = object.metadata;
  return JSON.stringify({ apiVersion: object.apiVersion, kind: object.kind, metadata: { ...metadata, annotations: {} }, spec: object.spec });
}

function namespaceObject(index, labelled) {
  const object = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: `team-${index}`,
      labels: {
        'kubernetes.io/metadata.name': `team-${index}`,
        ...(labelled ? { team: `team-${index % 40}` } : {}),
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      annotations: {
        'example.com/owner': `team-${index % 40}@example.com`,
        'example.com/runbook': `https://runbooks.example.com/namespaces/team-${index}`,
        'example.com/cost-center': String(4000 + (index % 300)),
      },
      managedFields: [
        { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-11-20T09:14:03Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:example.com/owner': {}, 'f:example.com/runbook': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} }, 'f:labels': { '.': {}, 'f:kubernetes.io/metadata.name': {}, 'f:pod-security.kubernetes.io/enforce': {}, 'f:pod-security.kubernetes.io/warn': {}, 'f:team': {} } } } },
      ],
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
  object.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(object);
  return object;
}

function networkPolicyObject(index, openToAll) {
  const object = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: `payments-api-${index}`,
      namespace: `payments-${index % 7}`,
      labels: { app: 'payments-api', team: 'payments' },
      annotations: {},
      managedFields: [
        { manager: 'argocd-controller', operation: 'Apply', apiVersion: 'networking.k8s.io/v1', time: '2026-11-20T09:14:03Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:team': {} } }, 'f:spec': { 'f:egress': {}, 'f:ingress': {}, 'f:podSelector': {}, 'f:policyTypes': {} } } },
      ],
    },
    spec: {
      podSelector: { matchLabels: { app: 'payments-api' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: openToAll
        ? [{}]
        : [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: { matchLabels: { app: 'checkout' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
          ],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        { to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.99.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ],
    },
  };
  object.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(object);
  return object;
}

function review(object, operation, oldObject) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const resource = { Pod: 'pods', Namespace: 'namespaces', NetworkPolicy: 'networkpolicies' }[object.kind];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID_PLACEHOLDER,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind: object.kind },
      requestResource: { group, version, resource },
      ...(object.metadata.name ? { name: object.metadata.name } : {}),
      ...(object.kind !== 'Namespace' ? { namespace: object.metadata.namespace } : {}),
      operation,
      // Namespaces are created by a platform admin, who may set their pod-security.kubernetes.io/*
      // labels (policy-label-guard lets only system:masters do that by default); otherwise every
      // Namespace CREATE would be denied on top of the intended quarter.
      userInfo:
        object.kind === 'Pod'
          ? { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: 'b5c1e1e4-7a0e-4c55-9d7c-0c6d0e9f1a22', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }
          : { username: 'oidc:jane.doe@example.com', groups: ['oidc:platform-team', ...(object.kind === 'Namespace' ? ['system:masters'] : []), 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=3f0c1e7a-8d5b-4c2a-9e61-2b7d9c4f0a13'] } },
      object,
      oldObject: oldObject ?? null,
      dryRun: false,
      options: operation === 'CREATE' ? { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' } : { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
    },
  };
}

/** Pads an object's annotations with what real objects carry (notes, links) until the review is `target` bytes. */
function padTo(reviewObject, target) {
  const annotations = reviewObject.request.object.metadata.annotations;
  let size = JSON.stringify(reviewObject).length;
  let n = 0;
  while (size < target) {
    const key = `example.com/note-${n++}`;
    const value = 'Owned by the platform team; changes go through the change-advisory board, see https://wiki.example.com/platform/changes. '.slice(0, Math.min(110, target - size));
    annotations[key] = value;
    size = JSON.stringify(reviewObject).length;
  }
  return reviewObject;
}

/**
 * 40 reviews: 24 pods, 8 namespaces, 8 network policies; 1 in 4 of each denied by the default
 * configuration (privileged pods, namespaces without the required `team` label, network policies
 * open to all).
 */
export function makeReviews() {
  const random = seeded(42);
  const reviews = [];
  for (let i = 0; i < 40; i++) {
    const denied = i % 4 === 3;
    const target = 6_000 + Math.floor(random() * 3_800);
    let entry;
    if (i % 5 < 3) {
      entry = review(podObject(i, !denied, random), 'CREATE');
    } else if (i % 5 === 3) {
      const object = namespaceObject(i, !denied);
      entry = i % 2 === 0 ? review(object, 'CREATE') : review(object, 'UPDATE', namespaceObject(i, true));
    } else {
      const object = networkPolicyObject(i, denied);
      entry = i % 2 === 0 ? review(object, 'CREATE') : review(object, 'UPDATE', networkPolicyObject(i, false));
    }
    reviews.push({ kind: entry.request.kind.kind, denied, body: JSON.stringify(padTo(entry, target)) });
  }
  return reviews;
}

// ---------------------------------------------------------------------------------------------
// The bare server (child process): parse the body, echo the uid.

async function bareServer(port, certFile, keyFile) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ https: { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, bodyLimit: 3 * 1024 * 1024 + 64 * 1024, keepAliveTimeout: 75_000 });
  app.post('/validate', async (request) => ({ apiVersion: request.body.apiVersion, kind: 'AdmissionReview', response: { uid: request.body.request.uid, allowed: true } }));
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// The client (child process): closed loop over raw keep-alive TLS connections.

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function client(port, caFile, reviewsFile, warmupMs, durationMs) {
  const ca = readFileSync(caFile);
  const bodies = JSON.parse(readFileSync(reviewsFile, 'utf8')).map((entry) => entry.body);
  const templates = bodies.map((body) => {
    const head = `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const buffer = Buffer.from(head + body);
    return { buffer, uidAt: buffer.indexOf(UID_PLACEHOLDER) };
  });
  const CRLF2 = Buffer.from('\r\n\r\n');
  let counter = 0;
  let recording = false;
  let stopped = false;
  const latencies = [];
  let completed = 0;
  const errors = [];
  // Per review (index into `bodies`): 1 once answered allowed, 2 once answered denied (3: both).
  const answered = new Uint8Array(bodies.length);
  let deniedAnswers = 0;

  function connection(index) {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
      let next = index;
      let pending = null;
      let started = 0;
      let uid = '';
      let sent = 0;
      function send() {
        if (stopped) {
          socket.end();
          resolve();
          return;
        }
        sent = next++ % templates.length;
        const template = templates[sent];
        uid = UID_PLACEHOLDER.slice(0, 24) + (counter++).toString(16).padStart(12, '0');
        template.buffer.write(uid, template.uidAt, 'latin1');
        started = performance.now();
        socket.write(template.buffer);
      }
      socket.on('secureConnect', send);
      socket.on('data', (chunk) => {
        pending = pending ? Buffer.concat([pending, chunk]) : chunk;
        const headerEnd = pending.indexOf(CRLF2);
        if (headerEnd === -1) return;
        const head = pending.toString('latin1', 0, headerEnd);
        const match = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!match) {
          errors.push('response without content-length');
          socket.destroy();
          resolve();
          return;
        }
        const total = headerEnd + 4 + Number(match[1]);
        if (pending.length < total) return;
        const status = head.slice(9, 12);
        const body = pending.subarray(headerEnd + 4, total);
        pending = pending.length > total ? pending.subarray(total) : null;
        const denied = status === '200' && body.indexOf('"allowed":false') !== -1;
        if (status !== '200') errors.push(`HTTP ${status}: ${body.toString('utf8', 0, 200)}`);
        else if (body.indexOf(uid) === -1) errors.push(`uid ${uid} not in the answer`);
        else if (denied) answered[sent] |= 2;
        else if (body.indexOf('"allowed":true') !== -1) answered[sent] |= 1;
        else errors.push(`answer without "allowed": ${body.toString('utf8', 0, 200)}`);
        if (recording) {
          latencies.push(performance.now() - started);
          completed++;
          if (denied) deniedAnswers++;
        }
        send();
      });
      socket.on('error', (error) => {
        errors.push(error.message);
        resolve();
      });
    });
  }

  const connections = Array.from({ length: CONNECTIONS }, (_, index) => connection(index * 3));
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  recording = true;
  process.stdout.write('mark start\n');
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  recording = false;
  process.stdout.write('mark end\n');
  const seconds = (performance.now() - start) / 1000;
  stopped = true;
  await Promise.all(connections);
  latencies.sort((a, b) => a - b);
  const deniedReviews = [...answered.keys()].filter((i) => answered[i] & 2);
  const inconsistent = [...answered.keys()].filter((i) => answered[i] === 3);
  for (const i of inconsistent) errors.push(`review ${i} was answered both allowed and denied`);
  process.stdout.write(
    JSON.stringify({
      completed,
      seconds,
      rps: completed / seconds,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      deniedAnswers,
      deniedReviews,
      errors: errors.length,
      firstErrors: errors.slice(0, 3),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The parent: certificates, reviews, servers and clients in child processes, the report.

export function pinned(core) {
  if (availableParallelism() < 2 || !existsSync('/usr/bin/taskset')) return (command, args) => [command, args];
  return (command, args) => ['/usr/bin/taskset', ['-c', String(core), command, ...args]];
}

export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

export async function waitForTls(port, ca, child, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server on port ${port} never answered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CPU time (user + system, all threads) a process has used, in seconds; undefined where /proc is missing. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs a client child (this script or another, with `args`) pinned to core 1; reads the server's CPU
 * time when the child marks its measured window open and closed. Resolves with the child's last line
 * (its result, JSON; `reviver` as JSON.parse takes it) and the server's CPU seconds in the window (NaN
 * when a mark is missing). CPU time does not depend on what else the machine runs, unlike rates.
 */
export function runMeasuredChild(args, serverPid, what, reviver) {
  const [command, pinnedArgs] = pinned(1)(NODE, args);
  const child = spawn(command, pinnedArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const cpu = {};
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (cpu.start === undefined && out.includes('mark start\n')) cpu.start = cpuSeconds(serverPid);
    if (cpu.end === undefined && out.includes('mark end\n')) cpu.end = cpuSeconds(serverPid);
  });
  return new Promise((resolve, reject) => {
    // 'close', not 'exit': the client's last line (its result) may still be in the pipe at 'exit'.
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with code ${code}`));
      const result = JSON.parse(out.slice(out.lastIndexOf('\n') + 1), reviver);
      resolve({ result, serverCpuSeconds: cpu.start !== undefined && cpu.end !== undefined ? cpu.end - cpu.start : Number.NaN });
    });
  });
}

/** Runs the client; the server's CPU time per completed request over the measured window. */
export async function runClient(port, files, warmupMs, durationMs, serverPid) {
  const args = [SELF, '--client', String(port), files.ca, files.reviews, String(warmupMs), String(durationMs)];
  const { result, serverCpuSeconds } = await runMeasuredChild(args, serverPid, 'client');
  return { ...result, cpuUs: result.completed > 0 ? (serverCpuSeconds / result.completed) * 1e6 : Number.NaN };
}

async function measure(target, files, warmupMs, durationMs) {
  const port = await freePort();
  const serverArgs =
    target === 'bare'
      ? [SELF, '--bare-server', String(port), files.cert, files.key]
      : [join(ROOT, 'bin', 'policygate.js'), 'serve', '--tls-cert', files.cert, '--tls-key', files.key, '--no-cluster', '--host', '127.0.0.1', '--port', String(port)];
  const [command, args] = pinned(0)(NODE, serverArgs);
  const env = { ...process.env };
  delete env.KUBECONFIG;
  // Log lines go where a container's stdout would go; here nowhere, to keep the terminal readable.
  const server = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  try {
    await waitForTls(port, files.caPem, server);
    const result = await runClient(port, files, warmupMs, durationMs, server.pid);
    const stopping = Date.now();
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    return { ...result, exitCode: code, exitMs: Date.now() - stopping };
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

export function format(result) {
  return `${result.rps.toFixed(0).padStart(6)} req/s   p50 ${result.p50.toFixed(2)} ms   p99 ${result.p99.toFixed(2)} ms   max ${result.max.toFixed(1)} ms   server CPU ${result.cpuUs.toFixed(0)} µs/req${result.errors > 0 ? `   ${result.errors} ERRORS: ${result.firstErrors.join('; ')}` : ''}`;
}

export async function run() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const { writeCertificates } = await import('../dist/certs/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'policygate-bench-'));
  try {
    const written = await writeCertificates({ dir, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 2 });
    const reviews = makeReviews();
    const files = { cert: written.cert, key: written.key, ca: written.caCert, caPem: written.caPem, reviews: join(dir, 'reviews.json') };
    writeFileSync(files.reviews, JSON.stringify(reviews));
    const sizes = reviews.map((entry) => Buffer.byteLength(entry.body));
    const kinds = reviews.reduce((counts, entry) => ({ ...counts, [entry.kind]: (counts[entry.kind] ?? 0) + 1 }), {});
    console.log(
      `${reviews.length} AdmissionReviews, ${Math.min(...sizes)}–${Math.max(...sizes)} bytes (mean ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)}): ` +
        `${Object.entries(kinds).map(([kind, count]) => `${count} ${kind}`).join(', ')}; ${reviews.filter((entry) => entry.denied).length} meant to be denied`,
    );
    const pinning = pinned(0)('x', [])[0] === 'x' ? 'no CPU pinning' : 'server on core 0, client on core 1';
    console.log(`POST /validate, ${CONNECTIONS} keep-alive TLS connections, ${warmupSeconds} s warm-up + ${seconds} s measured per round, ${pinning}`);

    const results = { bare: [], policygate: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const target of ['bare', 'policygate']) {
        const result = await measure(target, files, warmupSeconds * 1000, seconds * 1000);
        results[target].push(result);
        console.log(`  round ${round}  ${target.padEnd(10)} ${format(result)}${target === 'policygate' ? `   (SIGTERM → exit ${result.exitCode} in ${result.exitMs} ms)` : ''}`);
      }
    }
    const best = (list) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
    const bare = best(results.bare);
    const policygate = best(results.policygate);
    const throughput = policygate.rps / bare.rps;
    const p99 = policygate.p99 / bare.p99;
    console.log(`best of ${rounds}:`);
    console.log(`  bare fastify  ${format(bare)}`);
    console.log(`  policygate    ${format(policygate)}`);
    console.log(
      `  ratio         throughput ${(throughput * 100).toFixed(1)} % of bare (goal ≥ 90 %: ${throughput >= 0.9 ? 'met' : 'MISSED'}), ` +
        `p99 ${p99.toFixed(2)}× bare (goal ≤ 1.25×: ${p99 <= 1.25 ? 'met' : 'MISSED'})`,
    );
    const intended = reviews.flatMap((entry, index) => (entry.denied ? [index] : []));
    console.log(
      `  denied        policygate answered "allowed":false to ${policygate.deniedReviews.length} of the ${reviews.length} reviews ` +
        `(${policygate.deniedAnswers} of ${policygate.completed} measured answers, ${((policygate.deniedAnswers / policygate.completed) * 100).toFixed(1)} %); intended ${intended.length}`,
    );
    const same = (a, b) => a.length === b.length && a.every((value, i) => value === b[i]);
    for (const [target, expected] of [['bare', []], ['policygate', intended]]) {
      for (const [round, result] of results[target].entries()) {
        if (!same(result.deniedReviews, expected)) {
          const list = (indexes) => (indexes.length > 0 ? indexes.join(', ') : 'none');
          console.log(`  ERROR: round ${round + 1} ${target} denied reviews ${list(result.deniedReviews)}; intended ${list(expected)}`);
        }
      }
    }
    const errors = [...results.bare, ...results.policygate].reduce((sum, result) => sum + result.errors, 0);
    if (errors > 0) console.log(`  ${errors} failed or mismatched answers`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === '--bare-server') await bareServer(Number(process.argv[3]), process.argv[4], process.argv[5]);
else if (role === '--client') await client(Number(process.argv[3]), process.argv[4], process.argv[5], Number(process.argv[6]), Number(process.argv[7]));
else if (process.argv[1] === SELF) await run();
