/*
 * hostProbesAndHostLifecycle (baseline, since v1.34)
 *
 * Probes and lifecycle handlers must not target a host other than the pod's own IP, which would let
 * the kubelet reach arbitrary hosts on the pod's behalf.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*] .livenessProbe,
 * .readinessProbe, .startupProbe, .lifecycle.postStart and .lifecycle.preStop, each .httpGet.host
 * and .tcpSocket.host (a tcpSocket lifecycle handler is deprecated but still checked)
 * Allowed values: "", undefined
 * Versions: absent before v1.34 (everything passes); one variant from v1.34. Unlike most checks,
 * the detail names each container once, sorted by name, and the distinct hosts sorted.
 */
import type { V1Container, V1LifecycleHandler, V1Probe } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerList, type ContainerVisitor } from '../containers.js';
import { goCompare, goSorted, joinQuote, pluralize } from '../format.js';

interface Findings {
  hosts: Set<string>;
  /** [container name, field path], in PSA's container order until sorted by name. */
  fields: [string, string][];
}

function isHost(host: unknown): host is string {
  return typeof host === 'string' && host !== '';
}

function record(findings: Findings | undefined, host: string, name: string, path: string): Findings {
  findings ??= { hosts: new Set(), fields: [] };
  findings.hosts.add(host);
  findings.fields.push([name, path]);
  return findings;
}

/** Adds the handler's explicit httpGet and tcpSocket hosts; `field` is where it sits in the container. */
function checkHandler(
  findings: Findings | undefined,
  handler: V1Probe | V1LifecycleHandler | undefined,
  field: string,
  container: V1Container,
  pod: PodUnderReview,
  list: ContainerList,
  index: number,
): Findings | undefined {
  if (typeof handler !== 'object' || handler === null) return findings;
  const httpHost: unknown = handler.httpGet?.host;
  const tcpHost: unknown = handler.tcpSocket?.host;
  if (!isHost(httpHost) && !isHost(tcpHost)) return findings;
  const path = `${containerPath(pod.specPath, list, index)}.${field}`;
  const name = containerName(container);
  if (isHost(httpHost)) findings = record(findings, httpHost, name, `${path}.httpGet.host`);
  if (isHost(tcpHost)) findings = record(findings, tcpHost, name, `${path}.tcpSocket.host`);
  return findings;
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return goCompare(a[0], b[0]);
}

const visitContainer: ContainerVisitor<PodUnderReview, Findings> = (container, list, index, pod, found) => {
  found = checkHandler(found, container.livenessProbe, 'livenessProbe', container, pod, list, index);
  found = checkHandler(found, container.readinessProbe, 'readinessProbe', container, pod, list, index);
  found = checkHandler(found, container.startupProbe, 'startupProbe', container, pod, list, index);
  const lifecycle = container.lifecycle;
  if (typeof lifecycle !== 'object' || lifecycle === null) return found;
  found = checkHandler(found, lifecycle.postStart, 'lifecycle.postStart', container, pod, list, index);
  return checkHandler(found, lifecycle.preStop, 'lifecycle.preStop', container, pod, list, index);
};

function checkHostProbesAndHostLifecycle(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  // PSA keeps the containers in a sorted set: each name once, in name order; the paths follow it.
  const fields = found.fields.sort(byName);
  const names: string[] = [];
  for (const [name] of fields) {
    if (names.length === 0 || names[names.length - 1] !== name) names.push(name);
  }
  const hosts = goSorted(found.hosts);
  const containers = `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
  const hostNoun = pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.length);
  return forbidden(
    'probe or lifecycle host',
    `${containers} ${pluralize('uses', 'use', names.length)} ${hostNoun} ${joinQuote(hosts)}`,
    fields.map(([, path]) => path),
  );
}

export const hostProbesAndHostLifecycle: PodSecurityCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  fields: 'containers',
  description: "Probes and lifecycle handlers must not set a host: they may only target the pod's own IP.",
  versions: [{ minimumMinor: 34, checkPod: checkHostProbesAndHostLifecycle }],
};
