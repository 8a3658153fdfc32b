// Pod updates that PSA re-judges. Most pod updates (labels, status, annotations) cannot change a Pod
// Security verdict: PSA only re-evaluates when containers are added or removed, an image changes, an
// ephemeral container is added or changed, or a seccomp annotation changes.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { isRecord } from '../is-record.js';
import type { KubeObject } from '../types.js';
import { podUnderReview } from './pod-spec.js';

const POD_SECCOMP_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_SECCOMP_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

type Annotations = Readonly<Record<string, string>> | undefined;

function specOf(pod: KubeObject): V1PodSpec {
  return (isRecord(pod.spec) ? pod.spec : {}) as unknown as V1PodSpec;
}

function listOf(value: unknown): V1Container[] {
  return Array.isArray(value) ? (value as V1Container[]) : [];
}

function containerChanged(next: V1Container | undefined, previous: V1Container | undefined, nextAnnotations: Annotations, previousAnnotations: Annotations): boolean {
  if (next?.image !== previous?.image) return true;
  const key = CONTAINER_SECCOMP_ANNOTATION_PREFIX + String(next?.name);
  return nextAnnotations?.[key] !== previousAnnotations?.[key];
}

export function isSignificantPodUpdate(pod: KubeObject, oldPod: KubeObject): boolean {
  const annotations = pod.metadata?.annotations;
  const oldAnnotations = oldPod.metadata?.annotations;
  if (annotations?.[POD_SECCOMP_ANNOTATION] !== oldAnnotations?.[POD_SECCOMP_ANNOTATION]) return true;

  const spec = specOf(pod);
  const oldSpec = specOf(oldPod);
  for (const list of ['containers', 'initContainers'] as const) {
    const next = listOf(spec[list]);
    const previous = listOf(oldSpec[list]);
    if (next.length !== previous.length) return true;
    for (let i = 0; i < next.length; i++) {
      if (containerChanged(next[i], previous[i], annotations, oldAnnotations)) return true;
    }
  }
  const previousEphemeral = listOf(oldSpec.ephemeralContainers);
  for (const container of listOf(spec.ephemeralContainers)) {
    const previous = previousEphemeral.find((candidate) => candidate?.name === container?.name);
    if (!previous) return true;
    if (containerChanged(container, previous, annotations, oldAnnotations)) return true;
  }
  return false;
}

/**
 * Workload updates that change nothing in the pod template (a label on the Deployment, a replica
 * count, a rollout annotation) cannot make its pods less safe, so they are not re-judged: a workload
 * admitted before a policy tightened can still be scaled, labelled and paused. Any change to the
 * template is judged in full. Key order differences count as a change, which only errs towards judging.
 */
export function podTemplateChanged(object: KubeObject, oldObject: KubeObject): boolean {
  const next = podUnderReview(object);
  const previous = podUnderReview(oldObject);
  if (!next || !previous) return true;
  return JSON.stringify(next.spec) !== JSON.stringify(previous.spec) || JSON.stringify(next.metadata) !== JSON.stringify(previous.metadata);
}
