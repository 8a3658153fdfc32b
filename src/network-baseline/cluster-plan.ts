// The baseline's plan for a whole cluster, read in one pass: every Namespace, and every NetworkPolicy
// that bears one of the baseline's names (a field selector on the name, so a cluster's other policies
// are never listed). What `policygate baseline` shows and, with --apply, carries out.
import { isRecord } from '../rules/is-record.js';
import type { NetworkBaselineConfig } from '../rules/types.js';
import type { KubeJsonClient } from '../kube/json-client.js';
import { existingPolicyOf, planNamespace, type BaselineNamespace, type ExistingPolicy, type NamespacePlan } from './policies.js';

async function listAll(client: KubeJsonClient, path: string, query: Record<string, string>, pageSize: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let continueToken: string | undefined;
  do {
    const page = await client.request('GET', path, { query: { ...query, limit: String(pageSize), continue: continueToken } });
    if (!isRecord(page) || !Array.isArray(page.items)) throw new Error(`GET ${path} did not answer a list`);
    items.push(...page.items);
    const metadata = isRecord(page.metadata) ? page.metadata : {};
    continueToken = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
  } while (continueToken !== undefined);
  return items;
}

function namespaceOf(item: unknown): BaselineNamespace | undefined {
  if (!isRecord(item) || !isRecord(item.metadata) || typeof item.metadata.name !== 'string') return undefined;
  const phase = isRecord(item.status) ? item.status.phase : undefined;
  return { name: item.metadata.name, terminating: item.metadata.deletionTimestamp !== undefined || phase === 'Terminating' };
}

export interface ClusterPlan {
  namespaces: NamespacePlan[];
  /** Namespaces that do not get the baseline: exempt or terminating. */
  skipped: { name: string; why: 'exempt' | 'terminating' }[];
}

export async function planCluster(client: KubeJsonClient, config: NetworkBaselineConfig, options: { namespace?: string | undefined; pageSize?: number } = {}): Promise<ClusterPlan> {
  const pageSize = options.pageSize ?? 500;
  const namespaceItems =
    options.namespace === undefined
      ? await listAll(client, '/api/v1/namespaces', {}, pageSize)
      : [await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(options.namespace)}`)];
  const existing = new Map<string, Map<string, ExistingPolicy>>();
  for (const policy of config.policies) {
    const path = options.namespace === undefined ? '/apis/networking.k8s.io/v1/networkpolicies' : `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/networkpolicies`;
    for (const item of await listAll(client, path, { fieldSelector: `metadata.name=${policy.name}` }, pageSize)) {
      const found = existingPolicyOf(item);
      if (!found) continue;
      const inNamespace = existing.get(found.namespace) ?? new Map<string, ExistingPolicy>();
      inNamespace.set(found.name, found);
      existing.set(found.namespace, inNamespace);
    }
  }
  const plan: ClusterPlan = { namespaces: [], skipped: [] };
  const namespaces = namespaceItems.map(namespaceOf).filter((namespace): namespace is BaselineNamespace => namespace !== undefined);
  namespaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const namespace of namespaces) {
    if (config.exemptNamespaces.includes(namespace.name)) plan.skipped.push({ name: namespace.name, why: 'exempt' });
    else if (namespace.terminating) plan.skipped.push({ name: namespace.name, why: 'terminating' });
    else plan.namespaces.push(planNamespace(config, namespace, existing.get(namespace.name) ?? new Map()));
  }
  return plan;
}
