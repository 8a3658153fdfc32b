// Types of fake-cluster.mjs, for the tests.
import type { KubeObject } from '../../src/rules/types.js';

export interface ClusterShape {
  namespaces?: number;
  /** Pods of each namespace's Deployment `web` (default 6: 10 pods per namespace). */
  webReplicas?: number;
}

export function generateCluster(options?: ClusterShape): KubeObject[];
export function clusterObjects(options?: ClusterShape): Generator<KubeObject>;

/** The largest request body the fake cluster stores (etcd's default limit, 1.5 MiB). */
export const ETCD_REQUEST_LIMIT: number;

export type WrittenResource = 'leases' | 'policyreports' | 'clusterpolicyreports' | 'reports' | 'clusterreports';

export interface FakeCluster {
  url: string;
  port: number;
  token: string;
  /** Every request, as `GET /api/v1/pods?limit=500`. */
  calls: string[];
  kubeconfig(): string;
  add(...objects: KubeObject[]): void;
  expireContinues(count: number, prefix?: string): void;
  fail(prefix: string, status: number, count?: number, message?: string): void;
  delayMs: number;
  /** The stored Leases or reports, by `namespace/name` (`name` when cluster-scoped). `add` stores them too. */
  stored(resource: WrittenResource): Record<string, KubeObject & Record<string, unknown>>;
  close(): Promise<void>;
}

export function startFakeCluster(tls: { cert: string; key: string; caCert: string }, objects?: Iterable<KubeObject>): Promise<FakeCluster>;
