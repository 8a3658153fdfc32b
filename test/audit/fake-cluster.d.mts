// Types of fake-cluster.mjs, for the tests.
import type { KubeObject } from '../../src/rules/types.js';

export function generateCluster(options?: { namespaces?: number }): KubeObject[];

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
  /** The stored Leases or PolicyReports, by `namespace/name`. `add` stores them too. */
  stored(resource: 'leases' | 'policyreports'): Record<string, KubeObject & Record<string, unknown>>;
  close(): Promise<void>;
}

export function startFakeCluster(tls: { cert: string; key: string; caCert: string }, objects?: KubeObject[]): Promise<FakeCluster>;
