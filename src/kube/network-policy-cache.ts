// The NetworkPolicies of the cluster, for network-isolation in the webhook (a policy is judged among
// the others of its namespace): a watch-backed cache built like the namespace cache (a client-node
// informer, list once in pages, then watch; restarted after a failure), holding each policy's model,
// never the object. Until the first list is in (or while it cannot be had), a namespace's policies are
// read directly from the API server; a read that fails is "not known" and the check that needs it finds
// nothing (said once in the log per failing spell), never a guess.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { analyzePolicy } from '../rules/network-policy/index.js';
import { isRecord } from '../rules/is-record.js';
import type { ContextPolicy, KubeObject } from '../rules/types.js';
import { describeApiError } from './api-error.js';
import { kubeJsonClient } from './api-request.js';
import type { KubeJsonClient } from './json-client.js';
import { RestartingInformer } from './restarting-informer.js';

const API_VERSION = 'networking.k8s.io/v1';
const KIND = 'NetworkPolicy';
const COLLECTION = `/apis/${API_VERSION}/networkpolicies`;

export interface NetworkPolicyCacheOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** A direct read is abandoned after this long. Default 5 s: under the API server's 10 s webhook timeout. */
  readTimeoutMs?: number;
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/** What is kept of a NetworkPolicy: its model, in its namespace. Undefined for an object the analysis does not read. */
function contextPolicyOf(object: KubernetesObject): ContextPolicy | undefined {
  const name = object.metadata?.name;
  const namespace = object.metadata?.namespace;
  if (!name || !namespace) return undefined;
  // List items come without apiVersion and kind; the model needs them.
  const model = analyzePolicy({ ...(object as KubeObject), apiVersion: API_VERSION, kind: KIND });
  return model ? { kind: model.kind, name, namespace, model } : undefined;
}

export class NetworkPolicyCache {
  /** Models by namespace, then by name. */
  private readonly byNamespace = new Map<string, Map<string, ContextPolicy>>();
  /** The answer for a namespace, kept until one of its policies changes. */
  private readonly lists = new Map<string, readonly ContextPolicy[]>();
  private readonly reads = new Map<string, Promise<readonly ContextPolicy[] | undefined>>();
  private readonly informer: RestartingInformer<KubernetesObject>;
  private readonly api: KubeJsonClient;
  private readonly readTimeoutMs: number;
  private hasSynced = false;
  private readsFailing = false;

  constructor(private readonly options: NetworkPolicyCacheOptions) {
    this.api = kubeJsonClient(options.kubeConfig, { timeoutMs: 60_000 });
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;
    this.informer = new RestartingInformer<KubernetesObject>({
      kubeConfig: options.kubeConfig,
      client: this.api,
      path: COLLECTION,
      what: 'NetworkPolicies',
      logger: options.logger,
      ...(options.restartDelayMs !== undefined ? { restartDelayMs: options.restartDelayMs } : {}),
      ...(options.maxRestartDelayMs !== undefined ? { maxRestartDelayMs: options.maxRestartDelayMs } : {}),
      onSynced: () => {
        if (!this.hasSynced) options.logger.info({ policies: this.size() }, 'NetworkPolicy cache synced');
        this.hasSynced = true;
      },
    });
    const { informer } = this.informer;
    informer.on('add', (object) => this.put(object));
    informer.on('update', (object) => this.put(object));
    informer.on('delete', (object) => this.remove(object));
  }

  private put(object: KubernetesObject): void {
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name;
    if (!namespace || !name) return;
    const policy = contextPolicyOf(object);
    let inNamespace = this.byNamespace.get(namespace);
    if (policy) {
      if (!inNamespace) this.byNamespace.set(namespace, (inNamespace = new Map()));
      inNamespace.set(name, policy);
    } else {
      inNamespace?.delete(name);
    }
    this.lists.delete(namespace);
  }

  private remove(object: KubernetesObject): void {
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name;
    if (!namespace || !name) return;
    const inNamespace = this.byNamespace.get(namespace);
    inNamespace?.delete(name);
    if (inNamespace?.size === 0) this.byNamespace.delete(namespace);
    this.lists.delete(namespace);
  }

  /** Starts listing and watching; resolves once the watch is under way or has failed (and will retry). */
  start(): Promise<void> {
    return this.informer.start();
  }

  async close(): Promise<void> {
    await this.informer.stop();
  }

  /** True once every NetworkPolicy has been listed once. */
  synced(): boolean {
    return this.hasSynced;
  }

  size(): number {
    let count = 0;
    for (const inNamespace of this.byNamespace.values()) count += inNamespace.size;
    return count;
  }

  /**
   * The NetworkPolicies of a namespace: from the cache once it has synced, else read from the API
   * server. Undefined when they cannot be known.
   */
  policies(namespace: string): readonly ContextPolicy[] | undefined | Promise<readonly ContextPolicy[] | undefined> {
    if (this.hasSynced) {
      let list = this.lists.get(namespace);
      if (!list) this.lists.set(namespace, (list = Object.freeze([...(this.byNamespace.get(namespace)?.values() ?? [])])));
      return list;
    }
    let read = this.reads.get(namespace);
    if (!read) {
      read = this.read(namespace).finally(() => this.reads.delete(namespace));
      this.reads.set(namespace, read);
    }
    return read;
  }

  private async read(namespace: string): Promise<readonly ContextPolicy[] | undefined> {
    const path = `/apis/${API_VERSION}/namespaces/${encodeURIComponent(namespace)}/networkpolicies`;
    try {
      const body = await this.api.request('GET', path, { timeoutMs: this.readTimeoutMs });
      if (!isRecord(body) || !Array.isArray(body.items)) throw new Error(`GET ${path} did not answer a list`);
      if (this.readsFailing) {
        this.readsFailing = false;
        this.options.logger.info('reading NetworkPolicies recovered');
      }
      return body.items.filter(isRecord).flatMap((item) => contextPolicyOf(item as KubernetesObject) ?? []);
    } catch (error) {
      if (!this.readsFailing) {
        this.readsFailing = true;
        this.options.logger.warn(
          { namespace, reason: describeApiError(error) },
          'cannot read NetworkPolicies: network-isolation judges policies without the others of their namespace (egress-blocks-dns finds nothing) until it can',
        );
      }
      return undefined;
    }
  }
}
