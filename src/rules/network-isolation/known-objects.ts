// The context network-isolation judges against, gathered from objects: `check` feeds it its input, the
// audit the cluster's live Namespaces and policies. It keeps what the checks read and nothing more —
// each Namespace's labels, each policy's model — so a large input or cluster costs little: never a pod,
// never a policy's object.
import { isRecord } from '../is-record.js';
import { isKind, NAMESPACE_KIND } from '../kinds.js';
import { analyzePolicy } from '../network-policy/index.js';
import type { ClusterContext, ClusterContextSource, ContextPolicy, KubeObject, NamespaceInfo, NamespaceList } from '../types.js';

/** Label values as the API server stores them: strings (a manifest may hold `team: 42`). */
function stringLabels(labels: unknown): Record<string, string> {
  if (!isRecord(labels)) return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value !== null && value !== undefined) result[key] = String(value);
  return result;
}

function policyKey(policy: Pick<ContextPolicy, 'kind' | 'name'>): string {
  return `${policy.kind}\u0000${policy.name}`;
}

export interface KnownObjectsOptions {
  source: ClusterContextSource;
  /**
   * What the Namespaces added are: every namespace there is (the audit of a whole cluster), some of
   * them (`check`'s input: others may exist, known by name only), or not to be relied on (the audit of
   * one namespace: the others exist, unseen).
   */
  namespaces: 'complete' | 'some' | 'unknown';
}

export class KnownNetworkObjects {
  private readonly namespaces = new Map<string, NamespaceInfo>();
  /** Namespaced policies by namespace, then by kind and name. */
  private readonly policies = new Map<string, Map<string, ContextPolicy>>();
  private readonly clusterPolicies = new Map<string, ContextPolicy>();
  private namespaceList: NamespaceList | undefined;

  constructor(private readonly options: KnownObjectsOptions) {}

  /** Keeps what the context needs of a Namespace or a network policy; anything else is passed over. A later definition replaces an earlier one. */
  add(object: KubeObject): void {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || name === '') return;
    if (isKind(object, NAMESPACE_KIND)) {
      this.namespaces.set(name, Object.freeze({ name, labels: Object.freeze(stringLabels(object.metadata?.labels)) }));
      this.namespaceList = undefined;
      return;
    }
    const model = analyzePolicy(object);
    if (!model) return;
    const namespace = typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : undefined;
    const policy: ContextPolicy = { kind: model.kind, name, namespace, model };
    if (namespace === undefined) {
      this.clusterPolicies.set(policyKey(policy), policy);
      return;
    }
    let inNamespace = this.policies.get(namespace);
    if (!inNamespace) this.policies.set(namespace, (inNamespace = new Map()));
    inNamespace.set(policyKey(policy), policy);
  }

  get namespaceCount(): number {
    return this.namespaces.size;
  }

  get policyCount(): number {
    let count = this.clusterPolicies.size;
    for (const inNamespace of this.policies.values()) count += inNamespace.size;
    return count;
  }

  /** The policies that may select pods of a namespace: its own, then the cluster-scoped ones. */
  policiesOf(namespace: string): ContextPolicy[] {
    return [...(this.policies.get(namespace)?.values() ?? []), ...this.clusterPolicies.values()];
  }

  /** Every namespace added, in the order first added. */
  namespaceInfos(): readonly NamespaceInfo[] {
    return [...this.namespaces.values()];
  }

  /** The context over what was added. No Namespace added: namespaces are not known. */
  context(): ClusterContext {
    return {
      source: this.options.source,
      namespaces: () => {
        if (this.namespaces.size === 0 || this.options.namespaces === 'unknown') return undefined;
        this.namespaceList ??= { items: [...this.namespaces.values()], complete: this.options.namespaces === 'complete' };
        return this.namespaceList;
      },
      policies: (namespace) => this.policiesOf(namespace),
    };
  }
}
