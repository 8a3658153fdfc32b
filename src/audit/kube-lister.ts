// The audit's lister on a live cluster, through client-node's transport and authentication (the one
// audit module that loads client-node: the worker thread lists through the main thread instead).
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeTransport } from '../kube/api-request.js';
import { apiLister, type ClusterLister } from './scan.js';

export interface KubeListerOptions {
  /** A request that takes longer is abandoned. Default 60 s. */
  timeoutMs?: number;
}

export function kubeLister(kubeConfig: KubeConfig, options: KubeListerOptions = {}): ClusterLister {
  return apiLister(kubeTransport(kubeConfig), { timeoutMs: options.timeoutMs ?? 60_000 });
}
