// The API server's defaulting that a Pod Security verdict (or its message) depends on, applied to raw
// manifests so that the offline checker judges what the webhook would see. The webhook itself receives
// objects already defaulted, so on its path these are no-ops.
// - A volume with no source becomes an emptyDir (PSA's restrictedVolumes fixture `restrictedvolumes0`
//   relies on it).
// - A Pod with `hostNetwork: true` gets `hostPort = containerPort` on every port of its containers and
//   init containers that sets none (SetDefaults_Pod). Since Kubernetes 1.28 only Pods are defaulted so,
//   not the pod templates of workloads (the DefaultHostNetworkHostPortsInPodTemplates gate, off in 1.28
//   and removed in 1.31). PSA then reports the hostPorts as well as the host network.
import { isRecord } from '../is-record.js';
import { isKind } from '../kinds.js';
import type { KubeObject } from '../types.js';
import { podUnderReview } from './pod-spec.js';

const POD_KIND = { group: '', kind: 'Pod' } as const;

/** A volume with nothing but (at most) a name: no source at all. */
function needsEmptyDir(volume: unknown): boolean {
  return isRecord(volume) && Object.keys(volume).every((key) => key === 'name');
}

/** A container port the API server gives a hostPort: one with a containerPort and no (or a zero) hostPort. */
function needsHostPort(port: unknown): port is Record<string, unknown> & { containerPort: number } {
  return isRecord(port) && typeof port.containerPort === 'number' && (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0);
}

/** The ports of a Pod's containers and init containers, when it uses the host's network. */
function hostNetworkPorts(object: KubeObject): unknown[] {
  if (!isKind(object, POD_KIND)) return [];
  const spec: unknown = object.spec;
  if (!isRecord(spec) || spec.hostNetwork !== true) return [];
  const ports: unknown[] = [];
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const container of list) if (isRecord(container) && Array.isArray(container.ports)) ports.push(...(container.ports as unknown[]));
  }
  return ports;
}

/** Returns the object with API-server defaults applied; the input is not modified (nor copied when nothing applies). */
export function applyAdmissionDefaults(object: KubeObject): KubeObject {
  const volumes: unknown = podUnderReview(object)?.spec.volumes;
  const volumesNeedDefault = Array.isArray(volumes) && volumes.some(needsEmptyDir);
  const portsNeedDefault = hostNetworkPorts(object).some(needsHostPort);
  if (!volumesNeedDefault && !portsNeedDefault) return object;

  const copy = structuredClone(object);
  if (volumesNeedDefault) for (const volume of podUnderReview(copy)?.spec.volumes ?? []) if (needsEmptyDir(volume)) volume.emptyDir = {};
  if (portsNeedDefault) for (const port of hostNetworkPorts(copy)) if (needsHostPort(port)) port.hostPort = port.containerPort;
  return copy;
}
