// The baseline's two writes. Both ask for strict field validation: a field the API does not know (a
// typo in the configuration's spec) is refused instead of silently dropped.
import { isRecord } from '../rules/is-record.js';
import type { KubeObject } from '../rules/types.js';
import { apiStatusOf } from '../kube/api-error.js';
import type { KubeJsonClient } from '../kube/json-client.js';

const STRICT = { fieldValidation: 'Strict' } as const;

function collectionPath(namespace: string): string {
  return `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies`;
}

/** Whether a write was refused because its namespace is gone or on its way out. */
function namespaceGone(error: unknown): boolean {
  const status = apiStatusOf(error);
  if (status === 404) return true;
  if (status !== 403) return false;
  const body = (error as { body?: unknown }).body;
  return typeof body === 'string' && body.includes('is being terminated');
}

export type CreateOutcome = 'created' | 'exists' | 'namespace-gone';

export async function createPolicy(client: KubeJsonClient, object: KubeObject): Promise<CreateOutcome> {
  try {
    await client.request('POST', collectionPath(object.metadata?.namespace ?? ''), { body: object, query: STRICT });
    return 'created';
  } catch (error) {
    if (apiStatusOf(error) === 409) return 'exists';
    if (namespaceGone(error)) return 'namespace-gone';
    throw error;
  }
}

/**
 * Puts one of policygate's own policies back to `desired`: its spec and the baseline's labels, keeping
 * the rest of what is stored (other labels, annotations) and its resourceVersion, so that a change made
 * meanwhile makes this a 409 rather than lost.
 */
export async function updatePolicy(client: KubeJsonClient, current: KubeObject, desired: KubeObject): Promise<void> {
  const metadata = isRecord(current.metadata) ? current.metadata : {};
  const labels = { ...(isRecord(metadata.labels) ? (metadata.labels as Record<string, string>) : {}), ...(desired.metadata?.labels ?? {}) };
  const body = { ...current, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { ...metadata, labels }, spec: desired.spec };
  const name = desired.metadata?.name ?? '';
  await client.request('PUT', `${collectionPath(desired.metadata?.namespace ?? '')}/${encodeURIComponent(name)}`, { body, query: STRICT });
}
