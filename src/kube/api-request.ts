// Requests to the API server through client-node's transport: its kubeconfig authentication (tokens,
// exec plugins, client certificates), TLS settings and HTTP library, without its typed models (which
// rename fields and drop the ones newer than the model). Every call policygate makes to the API server
// goes through it, except the Namespace watch (client-node's informer). The answer comes back as bytes:
// json-client.ts parses it here, and the audit's worker thread parses it there.
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { jsonClient, type KubeJsonClient, type KubeTransport } from './json-client.js';

/**
 * The answer's body, read whole into one buffer of its own (never a view into the HTTP library's
 * buffers): the audit's worker thread takes it over by transfer.
 */
async function readAll(stream: ReadableStream<Uint8Array> | null | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The transport of the kubeconfig's current cluster. */
export function kubeTransport(kubeConfig: KubeConfig): KubeTransport {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const http = new IsomorphicFetchHttpLibrary();
  return {
    server,
    async send(request) {
      const context = new RequestContext(`${server}${request.path}`, HttpMethod[request.method]);
      for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) context.setQueryParam(name, value);
      context.setHeaderParam('Accept', 'application/json');
      if (request.body !== undefined) {
        context.setHeaderParam('Content-Type', 'application/json');
        context.setBody(request.body);
      }
      const timeout = AbortSignal.timeout(request.timeoutMs);
      context.setSignal(request.signal ? AbortSignal.any([request.signal, timeout]) : timeout);
      await kubeConfig.applySecurityAuthentication(context);
      try {
        const response = await http.send(context).toPromise();
        return { status: response.httpStatusCode, body: await readAll(response.body.stream()) };
      } finally {
        // client-node makes a connection pool per request; close it rather than leave sockets to time out.
        await context.getDispatcher()?.close();
      }
    },
  };
}

/** A JSON client for the kubeconfig's current cluster. Requests give up after `timeoutMs` (default 10 s). */
export function kubeJsonClient(kubeConfig: KubeConfig, defaults: { timeoutMs?: number } = {}): KubeJsonClient {
  return jsonClient(kubeTransport(kubeConfig), defaults);
}
