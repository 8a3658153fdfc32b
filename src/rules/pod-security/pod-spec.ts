// Where pods hide: a Pod itself, and the pod template of every workload kind whose controller creates
// pods from it. Paths point into the object as the user wrote it, so a finding on a Deployment names
// `spec.template.spec.containers[0]...`, not a path in a pod that does not exist yet.
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import { isKind } from '../kinds.js';
import type { KubeObject, ResourceKind } from '../types.js';
import type { PodUnderReview } from './check.js';
import { isRecord } from '../is-record.js';

interface PodLocation {
  kind: ResourceKind;
  /** Field names from the object's root to the pod template (empty for a Pod). */
  templatePath: readonly string[];
}

const POD_LOCATIONS: readonly PodLocation[] = [
  { kind: { group: '', kind: 'Pod' }, templatePath: [] },
  { kind: { group: '', kind: 'PodTemplate' }, templatePath: ['template'] },
  { kind: { group: '', kind: 'ReplicationController' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'apps', kind: 'Deployment' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'apps', kind: 'ReplicaSet' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'apps', kind: 'StatefulSet' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'apps', kind: 'DaemonSet' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'batch', kind: 'Job' }, templatePath: ['spec', 'template'] },
  { kind: { group: 'batch', kind: 'CronJob' }, templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
];

/** Every kind that carries a pod: the Pod and the workloads whose templates are checked. */
export const POD_BEARING_KINDS: readonly ResourceKind[] = POD_LOCATIONS.map((location) => location.kind);

export const POD_KIND: ResourceKind = { group: '', kind: 'Pod' };

/** Where the pod template sits in this kind of object, or undefined when the kind carries no pod. */
export function podTemplatePathOf(object: KubeObject): readonly string[] | undefined {
  for (const location of POD_LOCATIONS) if (isKind(object, location.kind)) return location.templatePath;
  return undefined;
}

/**
 * The pod spec as it sits in the object (not a copy), with the tokens that lead to it: for the
 * mutation and for fix, which both write into it. Undefined when the kind carries no pod or the spec
 * is not an object.
 */
export function podSpecInPlace(object: KubeObject): { spec: Record<string, unknown>; tokens: string[] } | undefined {
  const templatePath = podTemplatePathOf(object);
  if (!templatePath) return undefined;
  let holder: unknown = object;
  for (const field of templatePath) holder = isRecord(holder) ? holder[field] : undefined;
  if (!isRecord(holder) || !isRecord(holder.spec)) return undefined;
  return { spec: holder.spec, tokens: [...templatePath, 'spec'] };
}

/**
 * The pod (or pod template) inside an object, with the paths of its metadata and spec.
 * Undefined when the kind carries no pod or the template is absent.
 */
export function podUnderReview(object: KubeObject): PodUnderReview | undefined {
  const templatePath = podTemplatePathOf(object);
  if (!templatePath) return undefined;
  let holder: unknown = object;
  for (const field of templatePath) {
    holder = isRecord(holder) ? holder[field] : undefined;
    if (holder === undefined) return undefined;
  }
  if (!isRecord(holder)) return undefined;
  const prefix = templatePath.length === 0 ? '' : `${templatePath.join('.')}.`;
  const metadata = isRecord(holder.metadata) ? (holder.metadata as V1ObjectMeta) : {};
  const spec = (isRecord(holder.spec) ? holder.spec : {}) as unknown as V1PodSpec;
  return { metadata, spec, metadataPath: `${prefix}metadata`, specPath: `${prefix}spec` };
}
