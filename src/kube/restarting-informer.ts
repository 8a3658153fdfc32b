// A client-node informer (list once, then watch) that starts again after a failure it does not retry
// by itself (a list that failed, a watch the API server refused), with a doubling delay, and never
// lets its start() reject unobserved. `onSynced` fires after each successful list.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeApiError } from './api-error.js';
import type { KubeJsonClient } from './json-client.js';
import { isRecord } from '../rules/is-record.js';

export interface RestartingInformerOptions {
  kubeConfig: KubeConfig;
  client: KubeJsonClient;
  /** The collection's path, e.g. `/apis/networking.k8s.io/v1/networkpolicies`. */
  path: string;
  labelSelector?: string;
  /** What the log calls it: `baseline NetworkPolicies`. */
  what: string;
  logger: Logger;
  /** Items per page of the list. Default 500. */
  pageSize?: number;
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  onSynced?: () => void;
}

export type CachingInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export class RestartingInformer<T extends KubernetesObject> {
  readonly informer: CachingInformer<T>;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;
  private failing = false;
  private stopped = false;
  private started = false;

  constructor(private readonly options: RestartingInformerOptions) {
    this.restartDelayMs = options.restartDelayMs ?? 1_000;
    this.informer = makeInformer<T>(options.kubeConfig, options.path, () => this.list(), options.labelSelector);
    this.informer.on('error', (error) => this.restartLater(error));
  }

  /** Every page of the collection as one list (the pages of one list share its resourceVersion). */
  private async list(): Promise<KubernetesListObject<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let continueToken: string | undefined;
    do {
      const query: Record<string, string | undefined> = { limit: String(this.options.pageSize ?? 500), continue: continueToken, labelSelector: this.options.labelSelector };
      const page = await this.options.client.request('GET', this.options.path, { query });
      if (!isRecord(page) || !Array.isArray(page.items)) throw new Error(`GET ${this.options.path} did not answer a list`);
      const metadata = isRecord(page.metadata) ? page.metadata : {};
      resourceVersion ??= typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
      continueToken = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      items.push(...(page.items as T[]));
    } while (continueToken !== undefined);
    if (this.failing) {
      this.failing = false;
      this.options.logger.info({ what: this.options.what }, 'watch recovered');
    }
    this.restartDelayMs = this.options.restartDelayMs ?? 1_000;
    // The informer applies the items in the microtasks after this resolves: tell once they are in.
    setImmediate(() => this.options.onSynced?.());
    return { apiVersion: 'v1', kind: 'List', metadata: resourceVersion === undefined ? {} : { resourceVersion }, items };
  }

  private restartLater(error: unknown): void {
    if (this.stopped) return;
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    if (!this.failing) {
      this.failing = true;
      this.options.logger.warn({ what: this.options.what, reason: describeApiError(error), retryInMs: delay }, 'watch failed; retrying');
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.startInformer(), delay);
    this.restartTimer.unref();
  }

  private startInformer(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.informer.start().catch((error: unknown) => this.restartLater(error));
  }

  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    await this.startInformer();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }
}
