// One request with Node's own http client, its credentials given: what the kubeconfig's transport
// (api-request.ts) sends after client-node has filled in the credentials, and what the audit's worker
// thread sends with credentials the main thread filled in (the worker never loads client-node). The
// answer's body comes back as one buffer; an abandoned request (the caller's signal, or the timeout)
// rejects with the signal's reason: a TimeoutError at the timeout.
import http from 'node:http';
import https from 'node:https';
import type { KubeRequest, KubeResponse } from './json-client.js';

/** What a request needs besides itself: headers (Authorization, impersonation) and the TLS material. */
export interface RequestCredentials {
  headers: Record<string, string>;
  /** Basic authentication, `user:password`. */
  auth?: string | undefined;
  ca?: Buffer | string | undefined;
  cert?: Buffer | string | undefined;
  key?: Buffer | string | undefined;
  pfx?: Buffer | string | undefined;
  passphrase?: string | undefined;
  servername?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
}

/** The credentials of a request options object client-node has filled in (`applyToHTTPSOptions`). */
export function credentialsOf(options: https.RequestOptions): RequestCredentials {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = String(value);
  const credentials: RequestCredentials = { headers };
  for (const key of ['auth', 'ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'] as const) {
    const value = options[key];
    if (value !== undefined && value !== null) (credentials as unknown as Record<string, unknown>)[key] = value;
  }
  return credentials;
}

export function sendRequest(server: string, request: KubeRequest, credentials: RequestCredentials, agent: http.Agent | undefined): Promise<KubeResponse> {
  const url = new URL(`${server}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
  const headers: Record<string, string> = { Accept: 'application/json', ...credentials.headers };
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(request.body));
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  signal.throwIfAborted();
  const { headers: _headers, ...tls } = credentials;
  return new Promise((resolve, reject) => {
    const sent = (url.protocol === 'http:' ? http : https).request(url, { ...tls, method: request.method, headers, ...(agent ? { agent } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
      });
      response.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        // Past 4 KB a buffer of its own, which can be handed to another thread by transfer.
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks, length) });
      });
      response.on('error', fail);
    });
    function fail(error: Error) {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    }
    function onAbort() {
      sent.destroy();
      reject(signal.reason);
    }
    signal.addEventListener('abort', onAbort, { once: true });
    sent.on('error', fail);
    sent.end(request.body);
  });
}
