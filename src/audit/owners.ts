// Who answers for an object: its top owner among the listed objects. A Pod's controller is a ReplicaSet
// whose controller is a Deployment, or a Job whose controller is a CronJob (or a StatefulSet, DaemonSet,
// ReplicationController); the chain follows `ownerReferences` entries with `controller: true`, by uid,
// within the namespace, as far as the listed objects go. An owner that was not listed (a Node for a
// static pod, an operator's custom resource) ends the chain: the last listed object answers.
//
// A finding on an owned object is reported through its top owner, with its field path moved into the
// owner's pod template (`spec.containers[0]` of a Pod becomes `spec.template.spec.containers[0]` of its
// Deployment, `spec.jobTemplate.spec.template.spec.containers[0]` of its CronJob). A pod made from the
// template fails exactly where the template fails, so the two become one line; a pod that differs (an
// older revision still running, a sidecar injected by another webhook) stays a line of its own, still
// under the owner.
import { podTemplatePathOf } from '../rules/pod-security/pod-spec.js';
import type { KubeObject } from '../rules/types.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Undefined for cluster-scoped kinds. */
  namespace: string | undefined;
  name: string;
  uid: string | undefined;
}

interface OwnerEntry {
  ref: ObjectRef;
  /** The uid of its own controller, if any. */
  controllerUid: string | undefined;
}

/** Kinds that own pods or other workloads. */
const OWNER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);

/** Whether objects of this kind can own others (the owner index records them). */
export function isOwnerKind(kind: string): boolean {
  return OWNER_KINDS.has(kind);
}

const MAX_CHAIN = 8;

export function refOf(object: KubeObject): ObjectRef {
  const metadata = object.metadata;
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    namespace: typeof metadata?.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined,
    name: typeof metadata?.name === 'string' ? metadata.name : '',
    uid: typeof metadata?.uid === 'string' && metadata.uid !== '' ? metadata.uid : undefined,
  };
}

/** The uid of the object's managing controller (`ownerReferences[].controller: true`). */
export function controllerUidOf(object: KubeObject): string | undefined {
  const references = object.metadata?.ownerReferences;
  if (!Array.isArray(references)) return undefined;
  for (const reference of references) if (reference?.controller === true && typeof reference.uid === 'string') return reference.uid;
  return undefined;
}

/** The prefix a kind's pod template paths carry: `` for a Pod, `spec.template.` for a Deployment; undefined for kinds without one. */
function templatePrefixOf(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): string | undefined {
  const path = podTemplatePathOf({ apiVersion: ref.apiVersion, kind: ref.kind });
  if (path === undefined) return undefined;
  return path.length === 0 ? '' : `${path.join('.')}.`;
}

/** A finding's path on `from`, as the same field in the pod template of `to`. Unchanged when either has no template. */
export function pathInOwner(path: string, from: ObjectRef, to: ObjectRef): string {
  if (from === to) return path;
  const fromPrefix = templatePrefixOf(from);
  const toPrefix = templatePrefixOf(to);
  if (fromPrefix === undefined || toPrefix === undefined || !path.startsWith(fromPrefix)) return path;
  const inPod = path.slice(fromPrefix.length);
  if (!inPod.startsWith('spec') && !inPod.startsWith('metadata')) return path;
  return `${toPrefix}${inPod}`;
}

export class OwnerIndex {
  private readonly owners = new Map<string, OwnerEntry>();

  get size(): number {
    return this.owners.size;
  }

  /** Records an object that may own others (a workload), with its own controller's uid. Anything else is ignored. */
  add(ref: ObjectRef, controllerUid: string | undefined): void {
    if (!OWNER_KINDS.has(ref.kind) || ref.uid === undefined) return;
    this.owners.set(ref.uid, { ref, controllerUid });
  }

  /** Forgets the owners of one kind (its listing is starting again). */
  discardKind(apiVersion: string, kind: string): void {
    for (const [uid, entry] of this.owners) if (entry.ref.kind === kind && entry.ref.apiVersion === apiVersion) this.owners.delete(uid);
  }

  /** The top listed owner of an object with this controller uid in this namespace, or undefined when none was listed. */
  topOwner(controllerUid: string | undefined, namespace: string | undefined): ObjectRef | undefined {
    let top: ObjectRef | undefined;
    let uid = controllerUid;
    const seen = new Set<string>();
    while (uid !== undefined && seen.size < MAX_CHAIN && !seen.has(uid)) {
      seen.add(uid);
      const entry = this.owners.get(uid);
      if (!entry || entry.ref.namespace !== namespace) break;
      top = entry.ref;
      uid = entry.controllerUid;
    }
    return top;
  }
}
