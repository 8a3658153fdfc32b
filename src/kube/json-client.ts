// JSON calls to the API server over any transport: the request's body as JSON text, the answer parsed
// from its bytes, an HTTP error status as a KubeApiError. No client-node here: the audit's worker thread
// uses this over a transport that hands each request to the main thread (src/audit/worker/), and every
// other caller over client-node's transport (api-request.ts).
import { KubeApiError } from './api-error.js';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One request, as a transport carries it. */
export interface KubeRequest {
  method: KubeMethod;
  /** The path on the API server: `/api/v1/pods`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** JSON text. */
  body?: string;
  /** The request is abandoned after this long. */
  timeoutMs: number;
  /** The caller gave up: the request is abandoned (as at its timeout). */
  signal?: AbortSignal | undefined;
}

export interface KubeResponse {
  status: number;
  body: Uint8Array;
}

/** Carries a request to the API server with the kubeconfig's authentication and TLS settings. */
export interface KubeTransport {
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** Rejects on a network error, a timeout or an abort; any HTTP status is an answer. */
  send(request: KubeRequest): Promise<KubeResponse>;
}

export interface KubeRequestOptions {
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Default: the client's. */
  timeoutMs?: number;
  /** The caller gave up: the request is abandoned (as at its timeout). */
  signal?: AbortSignal | undefined;
}

export interface KubeJsonClient {
  /** The API server's URL, without a trailing slash. */
  readonly server: string;
  /** The answer parsed as JSON (undefined for an empty body). Throws a KubeApiError on an HTTP error. */
  request(method: KubeMethod, path: string, options?: KubeRequestOptions): Promise<unknown>;
}

const decoder = new TextDecoder();

/** A JSON client over `transport`. Requests give up after `timeoutMs` (default 10 s). */
export function jsonClient(transport: KubeTransport, defaults: { timeoutMs?: number } = {}): KubeJsonClient {
  return {
    server: transport.server,
    async request(method, path, options = {}) {
      const response = await transport.send({
        method,
        path,
        ...(options.query ? { query: options.query } : {}),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        timeoutMs: options.timeoutMs ?? defaults.timeoutMs ?? 10_000,
        signal: options.signal,
      });
      const text = decoder.decode(response.body);
      if (response.status < 200 || response.status > 299) throw new KubeApiError(response.status, `${method} ${path} answered HTTP ${response.status}`, text);
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    },
  };
}
