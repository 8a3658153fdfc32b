// The controller behind `networkBaseline.enabled`: while this replica leads (holds the Lease the
// periodic audit uses), every namespace that is not exempt has the configured baseline NetworkPolicies.
//
// - Two watches, started on becoming the leader and stopped on ceasing to be: every Namespace, and the
//   NetworkPolicies that carry the baseline's labels. A namespace is reconciled when it appears (the
//   first list reconciles every one), when one of its baseline policies is deleted or changed, and
//   every `resyncMs` for all of them, in case an event was missed.
// - Reconciling one namespace is the pure plan of ./policies.ts, carried out one write at a time: a
//   missing policy is created (a 409 means a policy of that name exists: if it is not policygate's, it
//   is left alone and said once in the log), one of policygate's own whose spec drifted is put back.
//   Nothing is ever deleted. Writes ask for strict field validation, so a typo in the configuration's
//   spec is refused by the API server and logged, not silently dropped.
// - With `recreateDeleted: false`, a baseline policy deleted while this replica leads stays deleted
//   until policygate restarts or another replica takes over (the deletion is remembered in memory).
// - Two replicas never both write: only the leader runs, and a create of an existing name is a 409.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Leadership } from '../kube/lease.js';
import { apiStatusOf, describeApiError } from '../kube/api-error.js';
import type { KubeJsonClient } from '../kube/json-client.js';
import { RestartingInformer } from '../kube/restarting-informer.js';
import type { NetworkBaselineConfig } from '../rules/types.js';
import { BASELINE_SELECTOR, existingPolicyOf, planNamespace, type BaselineChange, type BaselineNamespace, type ExistingPolicy } from './policies.js';
import { createPolicy, updatePolicy } from './writes.js';

export interface NetworkBaselineControllerOptions {
  kubeConfig: KubeConfig;
  client: KubeJsonClient;
  config: NetworkBaselineConfig;
  leadership: Leadership;
  logger: Logger;
  /** Reconcile every namespace this often while leading. Default 10 minutes. */
  resyncMs?: number;
  /** Told after each namespace is reconciled (tests). */
  onReconciled?: (namespace: string, changes: readonly BaselineChange[]) => void;
}

interface NamespaceObject extends KubernetesObject {
  status?: { phase?: string };
}

const NAMESPACES_PATH = '/api/v1/namespaces';
const NETWORK_POLICIES_PATH = '/apis/networking.k8s.io/v1/networkpolicies';

function baselineNamespaceOf(namespace: NamespaceObject): BaselineNamespace | undefined {
  const name = namespace.metadata?.name;
  if (!name) return undefined;
  return { name, terminating: namespace.metadata?.deletionTimestamp !== undefined || namespace.status?.phase === 'Terminating' };
}

/** What one term of leadership holds: dropped whole when it ends. */
interface Term {
  namespaces: RestartingInformer<NamespaceObject>;
  policies: RestartingInformer<KubernetesObject>;
  policiesSynced: boolean;
  queue: Set<string>;
  working: Promise<void> | undefined;
  resyncTimer: NodeJS.Timeout | undefined;
  /** `namespace/name` of baseline policies deleted during this term (recreateDeleted: false). */
  deleted: Set<string>;
  /** `namespace/name` of policies of another owner already reported. */
  conflicts: Set<string>;
  ended: boolean;
}

export class NetworkBaselineController {
  private term: Term | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: NetworkBaselineControllerOptions) {}

  start(): this {
    this.unsubscribe = this.options.leadership.onChange((leader) => (leader ? this.lead() : void this.endTerm()));
    if (this.options.leadership.isLeader()) this.lead();
    return this;
  }

  private lead(): void {
    if (this.term || this.stopped) return;
    const { kubeConfig, client, logger } = this.options;
    const term: Term = {
      namespaces: new RestartingInformer<NamespaceObject>({ kubeConfig, client, path: NAMESPACES_PATH, what: 'Namespaces (network baseline)', logger }),
      policies: new RestartingInformer({
        kubeConfig,
        client,
        path: NETWORK_POLICIES_PATH,
        labelSelector: BASELINE_SELECTOR,
        what: 'baseline NetworkPolicies',
        logger,
        onSynced: () => {
          if (term.policiesSynced) return;
          term.policiesSynced = true;
          // The namespaces that appeared before the policies were known are reconciled now.
          this.enqueueAll(term);
        },
      }),
      policiesSynced: false,
      queue: new Set(),
      working: undefined,
      resyncTimer: undefined,
      deleted: new Set(),
      conflicts: new Set(),
      ended: false,
    };
    this.term = term;
    term.namespaces.informer.on('add', (namespace) => this.namespaceSeen(term, namespace));
    term.namespaces.informer.on('update', (namespace) => this.namespaceSeen(term, namespace));
    term.policies.informer.on('delete', (policy) => this.policyDeleted(term, policy));
    term.policies.informer.on('update', (policy) => this.enqueue(term, policy.metadata?.namespace));
    term.resyncTimer = setInterval(() => this.enqueueAll(term), this.options.resyncMs ?? 600_000);
    term.resyncTimer.unref();
    logger.info({ policies: this.options.config.policies.map((policy) => policy.name), exempt: this.options.config.exemptNamespaces }, 'network baseline: keeping the baseline NetworkPolicies in every namespace while this replica leads');
    void term.policies.start().then(() => term.namespaces.start());
  }

  private namespaceSeen(term: Term, namespace: NamespaceObject): void {
    const seen = baselineNamespaceOf(namespace);
    if (seen && !seen.terminating) this.enqueue(term, seen.name);
  }

  private policyDeleted(term: Term, policy: KubernetesObject): void {
    const namespace = policy.metadata?.namespace;
    const name = policy.metadata?.name;
    if (!namespace || !name) return;
    if (!this.options.config.recreateDeleted) {
      term.deleted.add(`${namespace}/${name}`);
      this.options.logger.info({ namespace, policy: name }, 'network baseline: a baseline policy was deleted; not creating it again (recreateDeleted: false)');
      return;
    }
    this.enqueue(term, namespace);
  }

  private enqueueAll(term: Term): void {
    for (const namespace of term.namespaces.informer.list()) this.namespaceSeen(term, namespace);
  }

  private enqueue(term: Term, namespace: string | undefined): void {
    if (term.ended || namespace === undefined) return;
    term.queue.add(namespace);
    // Until the baseline policies are known, every namespace would look empty.
    if (!term.policiesSynced || term.working) return;
    term.working = this.work(term).finally(() => {
      term.working = undefined;
      if (!term.ended && term.queue.size > 0) this.enqueue(term, term.queue.values().next().value);
    });
  }

  private async work(term: Term): Promise<void> {
    while (!term.ended && term.queue.size > 0) {
      const namespace = term.queue.values().next().value as string;
      term.queue.delete(namespace);
      try {
        await this.reconcile(term, namespace);
      } catch (error) {
        this.options.logger.error({ namespace, reason: describeApiError(error) }, 'network baseline: reconciling the namespace failed; trying again at the next resync');
      }
    }
  }

  /** The baseline policies this namespace has, as the watch last saw them. */
  private existingIn(term: Term, namespace: string): Map<string, ExistingPolicy> {
    const existing = new Map<string, ExistingPolicy>();
    for (const item of term.policies.informer.list(namespace)) {
      const policy = existingPolicyOf(item);
      if (policy) existing.set(policy.name, policy);
    }
    return existing;
  }

  private async reconcile(term: Term, name: string): Promise<void> {
    const object = term.namespaces.informer.get(name);
    const namespace = object ? baselineNamespaceOf(object) : undefined;
    if (!namespace) return;
    const plan = planNamespace(this.options.config, namespace, this.existingIn(term, name));
    const done: BaselineChange[] = [];
    for (const change of plan.changes) {
      if (term.ended) return;
      const applied = await this.apply(term, change);
      if (applied) done.push(change);
    }
    this.options.onReconciled?.(name, done);
  }

  /** Carries out one change; false when it turned out not to be needed or possible. */
  private async apply(term: Term, change: BaselineChange): Promise<boolean> {
    const { logger, client } = this.options;
    if (change.action === 'conflict') {
      this.reportConflict(term, change.namespace, change.name);
      return false;
    }
    const namespace = change.object.metadata?.namespace ?? '';
    const name = change.object.metadata?.name ?? '';
    if (change.action === 'update') {
      try {
        await updatePolicy(client, change.current, change.object);
      } catch (error) {
        // Changed since the watch showed it: the watch's next event brings the namespace back here.
        if (apiStatusOf(error) === 409) return false;
        throw error;
      }
      logger.info({ namespace, policy: name }, 'network baseline: put a baseline policy back to the configuration');
      return true;
    }
    if (term.deleted.has(`${namespace}/${name}`)) return false;
    const outcome = await createPolicy(client, change.object);
    if (outcome === 'created') {
      logger.info({ namespace, policy: name }, 'network baseline: created');
      return true;
    }
    if (outcome === 'exists') this.reportConflict(term, namespace, name);
    return false;
  }

  private reportConflict(term: Term, namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    // A 409 for a policy of ours that the watch has not shown yet is no conflict.
    if (term.policies.informer.get(name, namespace) || term.conflicts.has(key)) return;
    term.conflicts.add(key);
    this.options.logger.warn({ namespace, policy: name }, 'network baseline: a NetworkPolicy of this name exists and policygate did not create it; left alone');
  }

  private async endTerm(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.ended = true;
    clearInterval(term.resyncTimer);
    term.queue.clear();
    await Promise.all([term.namespaces.stop(), term.policies.stop()]);
    await term.working;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.endTerm();
  }
}

