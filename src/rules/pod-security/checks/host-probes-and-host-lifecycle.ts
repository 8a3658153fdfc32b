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
import type { V1Container } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { joinQuote, pluralize } from '../format.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;
const ACTIONS = ['httpGet', 'tcpSocket'] as const;

interface Findings {
  hosts: Set<string>;
  /** [container name, field path], in PSA's container order until sorted by name. */
  fields: [string, string][];
}

/** The handler's explicit host for this action, or undefined when it has none. */
function explicitHost(handler: unknown, action: (typeof ACTIONS)[number]): string | undefined {
  const host: unknown = (handler as Record<string, { host?: unknown } | undefined> | null | undefined)?.[action]?.host;
  return typeof host === 'string' && host !== '' ? host : undefined;
}

function record(findings: Findings | undefined, name: string, host: string, path: string): Findings {
  findings ??= { hosts: new Set(), fields: [] };
  findings.hosts.add(host);
  findings.fields.push([name, path]);
  return findings;
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function containerName(container: V1Container): string {
  const name: unknown = container.name;
  return typeof name === 'string' ? name : '';
}

function checkHostProbesAndHostLifecycle(pod: PodUnderReview): CheckResult {
  let findings: Findings | undefined;
  for (const list of CONTAINER_LISTS) {
    const containers: unknown = pod.spec[list];
    if (!Array.isArray(containers)) continue;
    for (let i = 0; i < containers.length; i++) {
      const container = containers[i] as V1Container | null | undefined;
      if (typeof container !== 'object' || container === null) continue;
      for (const probe of PROBES) {
        const handler: unknown = container[probe];
        for (const action of ACTIONS) {
          const host = explicitHost(handler, action);
          if (host === undefined) continue;
          findings = record(findings, containerName(container), host, `${pod.specPath}.${list}[${i}].${probe}.${action}.host`);
        }
      }
      for (const event of LIFECYCLE_HANDLERS) {
        const handler: unknown = container.lifecycle?.[event];
        for (const action of ACTIONS) {
          const host = explicitHost(handler, action);
          if (host === undefined) continue;
          findings = record(
            findings,
            containerName(container),
            host,
            `${pod.specPath}.${list}[${i}].lifecycle.${event}.${action}.host`,
          );
        }
      }
    }
  }
  if (!findings) return ALLOWED;
  const fields = findings.fields.sort(byName);
  const names: string[] = [];
  for (const [name] of fields) if (names[names.length - 1] !== name) names.push(name);
  const hosts = [...findings.hosts].sort();
  return forbidden(
    'probe or lifecycle host',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ` +
      `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.length)} ${joinQuote(hosts)}`,
    fields.map(([, path]) => path),
  );
}

export const hostProbesAndHostLifecycle: PodSecurityCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  description: "Probes and lifecycle handlers must not set a host: they may only target the pod's own IP.",
  versions: [{ minimumMinor: 34, checkPod: checkHostProbesAndHostLifecycle }],
};
