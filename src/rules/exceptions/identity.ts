// What an object answers to when an exception names kinds and names: its own kind and name, and those
// of the workload that made it, so that a workload's exception covers the pods its controller creates
// (otherwise the template is let through and its pods are refused).
//
// How far it follows, from the object's own metadata only (the rules do no lookups):
// - its controller: the `ownerReferences` entry with `controller: true` (a DaemonSet, StatefulSet,
//   Job, ReplicaSet or ReplicationController for a pod; a Deployment for a ReplicaSet; a CronJob for
//   a Job);
// - a pod of a Deployment: its controller is the ReplicaSet `<deployment>-<hash>`, and the pod carries
//   the same hash in its `pod-template-hash` label; the Deployment is that name without `-<hash>`;
// - a pod of a CronJob: its controller is the Job `<cronjob>-<minutes>` (the CronJob controller names
//   each Job after its scheduled time in minutes); the CronJob is that name without `-<minutes>`.
// Owner references are written by whoever creates the object, like names: an exception that names a
// workload trusts everyone who may create pods in its namespaces to the same extent as one that names
// the pods.
import type { KubeObject } from '../types.js';

export interface Identity {
  kind: string;
  name: string;
}

const POD_TEMPLATE_HASH = 'pod-template-hash';
const CRONJOB_JOB_NAME = /^(.+)-(\d+)$/;

function controllerOf(object: KubeObject): Identity | undefined {
  const references: unknown = object.metadata?.ownerReferences;
  if (!Array.isArray(references)) return undefined;
  for (const reference of references as unknown[]) {
    if (typeof reference !== 'object' || reference === null) continue;
    const { controller, kind, name } = reference as { controller?: unknown; kind?: unknown; name?: unknown };
    if (controller === true && typeof kind === 'string' && typeof name === 'string' && kind !== '' && name !== '') return { kind, name };
  }
  return undefined;
}

/** The Deployment or CronJob behind a pod's ReplicaSet or Job, when the names say so. */
function workloadBehind(object: KubeObject, controller: Identity): Identity | undefined {
  if (object.kind !== 'Pod') return undefined;
  if (controller.kind === 'ReplicaSet') {
    const hash: unknown = object.metadata?.labels?.[POD_TEMPLATE_HASH];
    if (typeof hash !== 'string' || hash === '' || !controller.name.endsWith(`-${hash}`)) return undefined;
    const name = controller.name.slice(0, -(hash.length + 1));
    return name === '' ? undefined : { kind: 'Deployment', name };
  }
  if (controller.kind === 'Job') {
    const match = CRONJOB_JOB_NAME.exec(controller.name);
    return match?.[1] === undefined ? undefined : { kind: 'CronJob', name: match[1] };
  }
  return undefined;
}

/** The object itself first, then its controller, then the workload behind that controller. */
export function identitiesOf(object: KubeObject): Identity[] {
  const name: unknown = object.metadata?.name;
  const identities: Identity[] = [{ kind: typeof object.kind === 'string' ? object.kind : '', name: typeof name === 'string' ? name : '' }];
  const controller = controllerOf(object);
  if (!controller) return identities;
  identities.push(controller);
  const workload = workloadBehind(object, controller);
  if (workload) identities.push(workload);
  return identities;
}
