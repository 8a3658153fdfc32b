// The labels of the namespace an object lives in (they choose Pod Security levels and per-namespace
// modes): a watch-backed cache of every Namespace (a client-node informer: list once, then watch), with
// a direct read from the API server for a namespace the cache does not hold yet. A lookup that cannot
// be answered throws, and the admission layer fails closed for pods in enforce mode (as PSA does): a
// namespace that does not exist (404) throws too. The list and the reads are plain-JSON calls
// (kubeJsonClient); only the watch is client-node's.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type ObjectCache, type V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { NamespaceInfo } from '../rules/index.js';
import { apiStatusOf, describeApiError, isTimeout } from './api-error.js';
import { kubeJsonClient } from './api-request.js';
import type { KubeJsonClient } from './json-client.js';

export interface NamespaceCacheOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** A direct read is abandoned after this long. Default 5 s: under the API server's 10 s webhook timeout. */
  readTimeoutMs?: number;
  /** After the list or watch fails, retry after this long, doubling up to `maxRestartDelayMs`. Default 1 s. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Told of every lookup: for the metrics. */
  onLookup?: (source: 'cache' | 'api', result: 'found' | 'error') => void;
}

/** The list of every Namespace (once at start, again after the watch fails) is abandoned after this long. */
const LIST_TIMEOUT_MS = 60_000;

class NamespaceLookupFailure extends Error {
  override readonly name = 'NamespaceLookupFailure';
}

function infoOf(namespace: V1Namespace): NamespaceInfo | undefined {
  const name = namespace.metadata?.name;
  if (!name) return undefined;
  return Object.freeze({ name, labels: Object.freeze({ ...(namespace.metadata?.labels ?? {}) }) });
}

export class NamespaceCache {
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly reads = new Map<string, Promise<NamespaceInfo>>();
  private readonly api: KubeJsonClient;
  private readonly informer: Informer<V1Namespace> & ObjectCache<V1Namespace>;
  private readonly readTimeoutMs: number;
  private hasSynced = false;
  /** True once the first list's items are in the map (the informer applies them after list() resolves). */
  private hasAll = false;
  /** Every namespace, for all(); dropped on each change. */
  private everyNamespace: readonly NamespaceInfo[] | undefined;
  private started = false;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;
  private failing = false;

  constructor(private readonly options: NamespaceCacheOptions) {
    this.api = kubeJsonClient(options.kubeConfig, { timeoutMs: LIST_TIMEOUT_MS });
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;
    this.restartDelayMs = options.restartDelayMs ?? 1_000;
    this.informer = makeInformer(options.kubeConfig, '/api/v1/namespaces', () => this.list());
    this.informer.on('add', (namespace) => this.put(namespace));
    this.informer.on('update', (namespace) => this.put(namespace));
    this.informer.on('delete', (namespace) => {
      const name = namespace.metadata?.name;
      if (name) this.namespaces.delete(name);
      this.everyNamespace = undefined;
    });
    this.informer.on('error', (error) => this.restartLater(error));
  }

  private async list(): Promise<KubernetesListObject<V1Namespace>> {
    const list = (await this.api.request('GET', '/api/v1/namespaces')) as KubernetesListObject<V1Namespace>;
    // The informer applies the items right after this resolves. A lookup in between misses the
    // cache and reads directly, which is always safe.
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.options.logger.info({ namespaces: list.items.length }, 'namespace cache synced');
      setImmediate(() => {
        this.hasAll = true;
      });
    }
    if (this.failing) {
      this.failing = false;
      this.options.logger.info('namespace watch recovered');
    }
    this.restartDelayMs = this.options.restartDelayMs ?? 1_000;
    return list;
  }

  private put(namespace: V1Namespace): void {
    const info = infoOf(namespace);
    if (info) this.namespaces.set(info.name, info);
    this.everyNamespace = undefined;
  }

  /** The informer stops on an error it cannot retry by itself (list failed, watch refused): start it again. */
  private restartLater(error: unknown): void {
    if (this.closed) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    if (!this.failing) {
      this.failing = true;
      this.options.logger.warn({ reason: describeApiError(error), retryInMs: delay }, 'namespace watch failed; lookups read the API server until it recovers');
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.closed) this.startInformer();
    }, delay);
    this.restartTimer.unref();
  }

  /**
   * The informer reports most failures through its 'error' event, but its start() can also reject
   * (client-node signs the watch request outside its own try: a failing exec plugin or token read).
   * Either way it is retried, never left as an unhandled rejection that would end the process.
   */
  private startInformer(): Promise<void> {
    return this.informer.start().catch((error: unknown) => this.restartLater(error));
  }

  /** Starts listing and watching; resolves once the watch is under way or has failed (and will retry). */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    await this.startInformer();
  }

  /** True once every namespace has been listed once. */
  synced(): boolean {
    return this.hasSynced;
  }

  /** Every namespace there is (network-isolation's namespace selectors), once listed; undefined before. */
  all(): readonly NamespaceInfo[] | undefined {
    if (!this.hasAll) return undefined;
    this.everyNamespace ??= Object.freeze([...this.namespaces.values()]);
    return this.everyNamespace;
  }

  size(): number {
    return this.namespaces.size;
  }

  /** The namespace's labels; throws when it cannot be known (not found, API server unreachable, timeout). */
  get(name: string): NamespaceInfo | Promise<NamespaceInfo> {
    const cached = this.namespaces.get(name);
    if (cached) {
      this.options.onLookup?.('cache', 'found');
      return cached;
    }
    let read = this.reads.get(name);
    if (!read) {
      read = this.read(name).finally(() => this.reads.delete(name));
      this.reads.set(name, read);
    }
    return read;
  }

  private async read(name: string): Promise<NamespaceInfo> {
    try {
      const namespace = (await this.api.request('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`, { timeoutMs: this.readTimeoutMs })) as V1Namespace;
      const info = infoOf(namespace);
      if (!info) throw new NamespaceLookupFailure(`the API server returned namespace ${JSON.stringify(name)} without a name`);
      this.options.onLookup?.('api', 'found');
      return info;
    } catch (error) {
      this.options.onLookup?.('api', 'error');
      if (error instanceof NamespaceLookupFailure) throw error;
      if (apiStatusOf(error) === 404) throw new NamespaceLookupFailure(`namespace ${JSON.stringify(name)} not found`);
      if (isTimeout(error)) throw new NamespaceLookupFailure(`reading namespace ${JSON.stringify(name)} timed out after ${this.readTimeoutMs} ms`);
      throw new NamespaceLookupFailure(`reading namespace ${JSON.stringify(name)} failed: ${describeApiError(error)}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }
}
