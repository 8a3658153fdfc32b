// Reading the cluster for the audit: every audited kind, in pages (`limit`, `continue`), as plain JSON.
//
// The pages are fetched with client-node's own transport — its kubeconfig authentication (tokens, exec
// plugins, client certificates), TLS settings and HTTP library; in the audit's worker thread, through
// the main thread's — but parsed as plain JSON instead of through its typed list calls: those turn
// objects into its model classes, which rename fields (`from` → `_from` in a NetworkPolicy rule), turn
// timestamps into Dates and drop fields newer than the model. The rules judge objects as the API
// server stores them, as the webhook receives them.
//
// A continue token can expire during a long listing (the API server keeps them for about five
// minutes; 410 Gone, reason Expired). The listing of that kind then starts again from the beginning,
// the pages already seen are forgotten, and the report says so.
import { apiStatusOf, describeApiError, KubeApiError } from '../kube/api-error.js';
import { jsonClient, type KubeTransport } from '../kube/json-client.js';
import { parseList } from './list-page.js';
import { isRecord } from '../rules/is-record.js';
import type { KubeObject } from '../rules/types.js';
import { apiVersionOf, collectionPath, resourceName, type AuditedResource } from './resources.js';

export interface ListRequest {
  /** Only this namespace (ignored for cluster-scoped kinds). */
  namespace?: string | undefined;
  limit: number;
  continueToken?: string | undefined;
}

export interface ListPage {
  /**
   * The objects, with `apiVersion` and `kind` filled in (the API server leaves them out of list items):
   * an array, or items parsed as they are iterated (list-page.ts).
   */
  items: Iterable<KubeObject> & { readonly length: number };
  /** Undefined on the last page. */
  continueToken: string | undefined;
  /** The server's estimate of the objects still to come, when it gives one. */
  remainingItemCount: number | undefined;
}

/** Where the audit's objects come from: the API server, or anything that pages through objects alike. */
export interface ClusterLister {
  /** For the report's heading: the API server's URL. */
  readonly source: string;
  /** One page of a collection. Throws a KubeApiError on an HTTP error. */
  listPage(resource: AuditedResource, request: ListRequest): Promise<ListPage>;
  /** One Namespace, or undefined when it does not exist. */
  readNamespace(name: string): Promise<KubeObject | undefined>;
}

/**
 * The audit's lister over a transport: client-node's (kube-lister.ts), or the worker thread's. Pages are
 * taken apart item by item (list-page.ts): an item is parsed when the audit reaches it.
 */
export function apiLister(transport: KubeTransport, options: { timeoutMs: number }): ClusterLister {
  const client = jsonClient(transport, options);
  return {
    source: transport.server,
    async listPage(resource, request) {
      const path = collectionPath(resource, request.namespace);
      const response = await transport.send({
        method: 'GET',
        path,
        query: { limit: String(request.limit), continue: request.continueToken },
        timeoutMs: options.timeoutMs,
      });
      if (response.status < 200 || response.status > 299) {
        throw new KubeApiError(response.status, `GET ${path} answered HTTP ${response.status}`, new TextDecoder().decode(response.body));
      }
      let list;
      try {
        list = parseList(response.body, apiVersionOf(resource), resource.kind);
      } catch (error) {
        throw new Error(`GET ${path} did not answer a list: ${(error as Error).message}`);
      }
      const metadata = isRecord(list.fields.metadata) ? list.fields.metadata : {};
      const token = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      const remaining = typeof metadata.remainingItemCount === 'number' ? metadata.remainingItemCount : undefined;
      return { items: list.items, continueToken: token, remainingItemCount: remaining };
    },
    async readNamespace(name) {
      try {
        const body = await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`);
        if (!isRecord(body)) return undefined;
        return { apiVersion: 'v1', kind: 'Namespace', ...body } as KubeObject;
      } catch (error) {
        if (apiStatusOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
}

/** Whether the API server refused a continue token as expired (410 Gone). */
function isExpiredContinue(error: unknown): boolean {
  return apiStatusOf(error) === 410;
}

export interface ListAllOptions {
  namespace?: string | undefined;
  /** Objects per page. Default 500. */
  pageSize?: number;
  /** How many times an expired listing starts again before giving up. Default 3. */
  maxRestarts?: number;
}

export interface ListHandlers {
  page(items: ListPage['items'], progress: { listed: number; remaining: number | undefined }): void;
  /** The listing starts again from the beginning: forget what `page` received for this kind. */
  restart(note: string): void;
}

/** Lists one kind completely, page by page. Throws what the lister throws, once restarts are exhausted. */
export async function listAll(lister: ClusterLister, resource: AuditedResource, handlers: ListHandlers, options: ListAllOptions = {}): Promise<number> {
  const limit = options.pageSize ?? 500;
  const maxRestarts = options.maxRestarts ?? 3;
  for (let restarts = 0; ; restarts++) {
    let continueToken: string | undefined;
    let listed = 0;
    let pages = 0;
    const fetchPage = (token: string | undefined) => {
      const request = lister.listPage(resource, { namespace: options.namespace, limit, continueToken: token });
      // Awaited below; this only keeps a failure of a prefetched page from counting as unhandled meanwhile.
      request.catch(() => undefined);
      return request;
    };
    try {
      let next = fetchPage(undefined);
      for (;;) {
        const page = await next;
        pages++;
        continueToken = page.continueToken;
        // The next page is on its way while this one is judged.
        if (continueToken !== undefined) next = fetchPage(continueToken);
        listed += page.items.length;
        handlers.page(page.items, { listed, remaining: page.remainingItemCount });
        if (continueToken === undefined) return listed;
      }
    } catch (error) {
      if (continueToken === undefined || !isExpiredContinue(error) || restarts >= maxRestarts) throw error;
      handlers.restart(
        `Listing ${resourceName(resource)} started again from the beginning: the continue token expired after ${pages} page(s) (${describeApiError(error)}).`,
      );
    }
  }
}
