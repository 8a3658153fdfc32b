// Shared by the server and kube tests: throwaway certificates in a temp dir, AdmissionReviews built from
// a few objects, and small TLS clients (HTTP/1.1 and HTTP/2) that trust the throwaway CA.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../src/certs/index.js';
import type { AdmissionReviewRequest, AdmissionReviewResponse } from '../../src/admission/index.js';
import type { KubeObject, Operation } from '../../src/rules/types.js';

export interface TestCertificates {
  dir: string;
  ca: IssuedCertificate;
  serving: IssuedCertificate;
  client: IssuedCertificate;
  /** A client certificate from a CA the server does not trust. */
  strangerClient: IssuedCertificate;
  files: { caCert: string; cert: string; key: string; clientCert: string; clientKey: string };
  /** A second serving pair from the same CA, for reload tests. */
  issueServing(): Promise<IssuedCertificate>;
  cleanup(): Promise<void>;
}

/** A CA, a serving certificate for localhost and 127.0.0.1, and client certificates, written to a temp dir. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'policygate-test-'));
  const ca = await createCertificateAuthority({ commonName: 'policygate test CA', days: 1 });
  const issueServing = () => issueCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
  const serving = await issueServing();
  const client = await issueCertificate(ca, { commonName: 'kube-apiserver', usage: 'client', days: 1 });
  const strangerCa = await createCertificateAuthority({ commonName: 'stranger CA', days: 1 });
  const strangerClient = await issueCertificate(strangerCa, { commonName: 'mallory', usage: 'client', days: 1 });
  const files = {
    caCert: join(dir, 'ca.crt'),
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
  await writeFile(files.caCert, ca.cert);
  await writeFile(files.cert, serving.cert);
  await writeFile(files.key, serving.key);
  await writeFile(files.clientCert, client.cert);
  await writeFile(files.clientKey, client.key);
  return { dir, ca, serving, client, strangerClient, files, issueServing, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// AdmissionReviews

export interface ReviewOptions {
  uid?: string;
  operation?: Operation;
  namespace?: string;
  oldObject?: KubeObject;
  username?: string;
  apiVersion?: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';
}

/** An AdmissionReview request for `object`, with kind, resource and name taken from the object. */
export function reviewOf(object: KubeObject, options: ReviewOptions = {}): AdmissionReviewRequest {
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? 'v1'];
  const kind = object.kind ?? 'Unknown';
  const operation = options.operation ?? 'CREATE';
  const namespace = options.namespace ?? object.metadata?.namespace;
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group: group ?? '', version: version ?? 'v1', kind },
      resource: { group: group ?? '', version: version ?? 'v1', resource: `${kind.toLowerCase()}s` },
      ...(object.metadata?.name ? { name: object.metadata.name } : {}),
      ...(namespace && kind !== 'Namespace' ? { namespace } : {}),
      operation,
      userInfo: { username: options.username ?? 'jane@example.com', groups: ['system:authenticated'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: options.oldObject ?? null,
      dryRun: false,
    },
  };
}

export function pod(options: { name?: string; namespace?: string; privileged?: boolean; secret?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name ?? 'web', namespace: options.namespace ?? 'team-a', labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          env: [{ name: 'API_TOKEN', value: options.secret ?? 'not-a-secret' }],
          ...(options.privileged ? { securityContext: { privileged: true } } : {}),
        },
      ],
    },
  };
}

/** A pod that meets `restricted`: allowed with no warnings under the default configuration. */
export function restrictedPod(name = 'web', namespace = 'team-a'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function allowAllNetworkPolicy(name = 'allow-all', namespace = 'team-a'): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
  };
}

// ---------------------------------------------------------------------------------------------
// Clients and logs

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  alpn?: string | false | undefined;
}

export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** One HTTP/1.1 request over TLS (no ALPN h2 offered), with its own agent unless one is given. */
export function httpsRequest(
  port: number,
  options: { method?: string; path: string; body?: string | Buffer; contentType?: string; tls: ClientTls; agent?: https.Agent; headers?: Record<string, string>; alpn?: string[] },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        path: options.path,
        servername: 'localhost',
        ca: options.tls.ca,
        ...(options.tls.cert ? { cert: options.tls.cert, key: options.tls.key } : {}),
        agent: options.agent ?? false,
        ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
        headers: {
          ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            alpn: (response.socket as { alpnProtocol?: string | false } | null)?.alpnProtocol,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export async function postReview(port: number, path: '/validate' | '/mutate', review: unknown, tls: ClientTls, agent?: https.Agent): Promise<AdmissionReviewResponse> {
  const result = await httpsRequest(port, { path, body: JSON.stringify(review), tls, ...(agent ? { agent } : {}) });
  if (result.status !== 200) throw new Error(`HTTP ${result.status}: ${result.body}`);
  return JSON.parse(result.body) as AdmissionReviewResponse;
}

/** An HTTP/2 session to 127.0.0.1:port that trusts `tls.ca`. */
export function http2Session(port: number, tls: ClientTls): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://localhost:${port}`, { ca: tls.ca, host: '127.0.0.1', servername: 'localhost', ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}) });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

export function http2Post(session: http2.ClientHttp2Session, path: string, body: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    stream.on('response', (received) => {
      status = Number(received[':status']);
      headers = received as Record<string, string | string[] | undefined>;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8'), alpn: 'h2' }));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** A pino logger as `serve` makes it (no base fields), whose lines are collected, parsed, for assertions. */
export function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'info', base: null }, stream);
  const lines: Array<Record<string, unknown>> = [];
  return {
    logger,
    get lines() {
      lines.length = 0;
      for (const line of raw.join('').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      return lines;
    },
    text: () => raw.join(''),
  };
}
