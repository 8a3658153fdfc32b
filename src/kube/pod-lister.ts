// The pods of one namespace, for the webhook's check of a Namespace whose enforce level gets stricter:
// one plain-JSON GET /api/v1/namespaces/NS/pods?limit=N through client-node's transport and
// authentication (kubeJsonClient), so that pods are judged as the API server stores them. Needs `list`
// on `pods`.
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodLister } from '../admission/index.js';
import type { KubeObject } from '../rules/index.js';
import { kubeJsonClient } from './api-request.js';
import { isRecord } from '../rules/is-record.js';

export interface PodListerOptions {
  /**
   * A listing is abandoned after this long, or as soon as the caller gives up (its signal). Default
   * 1 s: the check never waits longer (PSA's bound).
   */
  timeoutMs?: number;
}

export function kubePodLister(kubeConfig: KubeConfig, options: PodListerOptions = {}): PodLister {
  const client = kubeJsonClient(kubeConfig, { timeoutMs: options.timeoutMs ?? 1_000 });
  return {
    async list(namespace, { limit, signal }) {
      signal.throwIfAborted();
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
      const body = await client.request('GET', path, { query: { limit: String(limit) }, signal });
      if (!isRecord(body) || !Array.isArray(body.items)) throw new Error(`GET ${path} did not answer a list`);
      // The API server leaves apiVersion and kind out of list items.
      return body.items.filter(isRecord).map((item) => ({ apiVersion: 'v1', kind: 'Pod', ...item }) as KubeObject);
    },
  };
}
