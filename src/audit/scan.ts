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
import { apiStatusOf, describeApiError } from '../kube/api-error.js';
import type { KubeJsonClient } from '../kube/json-client.js';
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
  /** The objects, with `apiVersion` and `kind` filled in (the API server leaves them out of list items). */
  items: KubeObject[];
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

/** The audit's lister over a JSON client: client-node's transport (kube-lister.ts), or the worker's. */
export function apiLister(client: KubeJsonClient): ClusterLister {
  const get = (path: string, query: Record<string, string | undefined>) => client.request('GET', path, { query });

  return {
    source: client.server,
    async listPage(resource, request) {
      const path = collectionPath(resource, request.namespace);
      const body = await get(path, { limit: String(request.limit), continue: request.continueToken });
      if (!isRecord(body) || !Array.isArray(body.items)) throw new Error(`GET ${path} did not answer a list`);
      const apiVersion = apiVersionOf(resource);
      const items = body.items.filter(isRecord) as KubeObject[];
      for (const item of items) {
        item.apiVersion ??= apiVersion;
        item.kind ??= resource.kind;
      }
      const metadata = isRecord(body.metadata) ? body.metadata : {};
      const token = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      const remaining = typeof metadata.remainingItemCount === 'number' ? metadata.remainingItemCount : undefined;
      return { items, continueToken: token, remainingItemCount: remaining };
    },
    async readNamespace(name) {
      try {
        const body = await get(`/api/v1/namespaces/${encodeURIComponent(name)}`, {});
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
  page(items: KubeObject[], progress: { listed: number; remaining: number | undefined }): void;
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
