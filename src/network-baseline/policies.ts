// What the zero-trust baseline is in one namespace: the configured NetworkPolicies as objects,
// labelled as policygate's own, and which namespaces get them. Pure: the controller in serve and
// `policygate baseline` both plan with it.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, NetworkBaselineConfig, NetworkBaselinePolicy } from '../rules/types.js';
import { storedSpec } from './stored-spec.js';

/** The label every object policygate creates carries; a policy without it is never touched. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'policygate';
/** Which baseline policy an object is (its configured name), for `kubectl get -l` and for planning. */
export const BASELINE_LABEL = 'policygate.dev/network-baseline';
/** Selects every policy of the baseline, in any namespace. */
export const BASELINE_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${BASELINE_LABEL}`;

/** The NetworkPolicy `policy` is in `namespace`. */
export function baselineObject(policy: NetworkBaselinePolicy, namespace: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policy.name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [BASELINE_LABEL]: policy.name },
    },
    spec: structuredClone(policy.spec),
  };
}

/** A namespace as the planner needs it: terminating ones accept no new objects. */
export interface BaselineNamespace {
  name: string;
  terminating: boolean;
}

export function getsBaseline(config: NetworkBaselineConfig, namespace: BaselineNamespace): boolean {
  return !namespace.terminating && !config.exemptNamespaces.includes(namespace.name);
}

/** A NetworkPolicy found in the cluster under a baseline policy's name. */
export interface ExistingPolicy {
  namespace: string;
  name: string;
  /** Carries policygate's labels: created by policygate, so policygate may bring it back to the configuration. */
  managed: boolean;
  spec: unknown;
  /** As it was read: an update keeps what it does not change (other labels, annotations, resourceVersion). */
  object: KubeObject;
}

export type BaselineChange =
  | { action: 'create'; object: KubeObject }
  /** One of policygate's own whose spec is no longer the configured one. */
  | { action: 'update'; object: KubeObject; current: KubeObject }
  /** A policy of the same name that policygate did not create: left alone. */
  | { action: 'conflict'; namespace: string; name: string };

export interface NamespacePlan {
  namespace: string;
  changes: BaselineChange[];
  /** Baseline policies already as configured. */
  upToDate: number;
}

/**
 * What it takes to give `namespace` the baseline, knowing the policies it already has under the
 * baseline's names (`existing`, keyed by name). Nothing for a namespace that does not get it.
 */
export function planNamespace(config: NetworkBaselineConfig, namespace: BaselineNamespace, existing: ReadonlyMap<string, ExistingPolicy>): NamespacePlan {
  const plan: NamespacePlan = { namespace: namespace.name, changes: [], upToDate: 0 };
  if (!getsBaseline(config, namespace)) return plan;
  for (const policy of config.policies) {
    const found = existing.get(policy.name);
    const object = baselineObject(policy, namespace.name);
    if (!found) plan.changes.push({ action: 'create', object });
    else if (!found.managed) plan.changes.push({ action: 'conflict', namespace: namespace.name, name: policy.name });
    else if (!isDeepStrictEqual(storedSpec(found.spec), storedSpec(policy.spec))) plan.changes.push({ action: 'update', object, current: found.object });
    else plan.upToDate++;
  }
  // Allows go in before the policies that only isolate: a namespace never spends a moment denied the
  // DNS that the next write would have allowed.
  plan.changes.sort((a, b) => Number(onlyIsolates(a)) - Number(onlyIsolates(b)));
  return plan;
}

function onlyIsolates(change: BaselineChange): boolean {
  if (change.action === 'conflict') return false;
  const spec = change.object.spec as { ingress?: unknown[]; egress?: unknown[] } | undefined;
  return !spec?.ingress?.length && !spec?.egress?.length;
}

/** A listed NetworkPolicy as an ExistingPolicy, when it has a name and a namespace. */
export function existingPolicyOf(item: unknown): ExistingPolicy | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { metadata, spec } = item as { metadata?: { name?: unknown; namespace?: unknown; labels?: unknown }; spec?: unknown };
  if (typeof metadata?.name !== 'string' || typeof metadata.namespace !== 'string') return undefined;
  const labels = (typeof metadata.labels === 'object' && metadata.labels !== null ? metadata.labels : {}) as Record<string, unknown>;
  return {
    namespace: metadata.namespace,
    name: metadata.name,
    managed: labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && typeof labels[BASELINE_LABEL] === 'string',
    spec,
    object: item as KubeObject,
  };
}
