// Plain-JSON calls to the API server through client-node's transport: its kubeconfig authentication
// (tokens, exec plugins, client certificates), TLS settings and HTTP library, without its typed models
// (which rename fields and drop the ones newer than the model). The lease and the PolicyReports use it
// for the few reads and writes they make.
import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface KubeRequestOptions {
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Default: the client's. */
  timeoutMs?: number;
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
      context.setSignal(AbortSignal.timeout(options.timeoutMs ?? defaults.timeoutMs ?? 10_000));
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
