// Plain-JSON calls to the API server through client-node's transport: its kubeconfig authentication
// (tokens, exec plugins, client certificates), TLS settings and HTTP library, without its typed models
// (which rename fields and drop the ones newer than the model). Every call policygate makes to the API
// server goes through it, except the Namespace watch (client-node's informer); describeApiError says
// what went wrong in one line.
import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

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
  /** The answer parsed as JSON (undefined for an empty body). Throws client-node's ApiException on an HTTP error. */
  request(method: KubeMethod, path: string, options?: KubeRequestOptions): Promise<unknown>;
}

/** A JSON client for the kubeconfig's current cluster. Requests give up after `timeoutMs` (default 10 s). */
export function kubeJsonClient(kubeConfig: KubeConfig, defaults: { timeoutMs?: number } = {}): KubeJsonClient {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const http = new IsomorphicFetchHttpLibrary();
  return {
    server,
    async request(method, path, options = {}) {
      const context = new RequestContext(`${server}${path}`, HttpMethod[method]);
      for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) context.setQueryParam(name, value);
      context.setHeaderParam('Accept', 'application/json');
      if (options.body !== undefined) {
        context.setHeaderParam('Content-Type', 'application/json');
        context.setBody(JSON.stringify(options.body));
      }
      const timeout = AbortSignal.timeout(options.timeoutMs ?? defaults.timeoutMs ?? 10_000);
      context.setSignal(options.signal ? AbortSignal.any([options.signal, timeout]) : timeout);
      await kubeConfig.applySecurityAuthentication(context);
      try {
        const response = await http.send(context).toPromise();
        const text = await response.body.text();
        if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
          throw new ApiException(response.httpStatusCode, `${method} ${path} answered HTTP ${response.httpStatusCode}`, text, response.headers);
        }
        return text === '' ? undefined : (JSON.parse(text) as unknown);
      } finally {
        // client-node makes a connection pool per request; close it rather than leave sockets to time out.
        await context.getDispatcher()?.close();
      }
    },
  };
}

/** The HTTP status of an API error, if it is one. */
export function apiStatusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** True for a request abandoned at its timeout (`timeoutMs`). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** An API error in one line: client-node's own messages carry the whole body and headers. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiException) {
    let body: unknown = error.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Not a Status object: the code says enough.
      }
    }
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    return `the API server answered HTTP ${error.code}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
  }
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `${error.message.split('\n', 1)[0]}${causeText}`;
  }
  return String(error);
}
