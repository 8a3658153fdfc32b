/*
 * hostPorts (baseline, since v1.0)
 *
 * HostPort ports must be forbidden.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort
 * Allowed values: undefined, 0
 * Versions: one variant, unchanged since v1.0. The detail names the containers in PSA's order and
 * the distinct ports sorted as text (so 100 comes before 20).
 */
import type { V1Container, V1ContainerPort } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { joinQuote, pluralize } from '../format.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function checkHostPorts(pod: PodUnderReview): CheckResult {
  let names: string[] | undefined;
  let ports: Set<string> | undefined;
  let paths: string[] | undefined;
  for (const list of CONTAINER_LISTS) {
    const containers: unknown = pod.spec[list];
    if (!Array.isArray(containers)) continue;
    for (let i = 0; i < containers.length; i++) {
      const container = containers[i] as V1Container | null | undefined;
      const containerPorts: unknown = container?.ports;
      if (!Array.isArray(containerPorts)) continue;
      let uses = false;
      for (let p = 0; p < containerPorts.length; p++) {
        const hostPort: unknown = (containerPorts[p] as V1ContainerPort | null | undefined)?.hostPort;
        if (typeof hostPort !== 'number' || hostPort === 0) continue;
        uses = true;
        (ports ??= new Set()).add(String(hostPort));
        (paths ??= []).push(`${pod.specPath}.${list}[${i}].ports[${p}].hostPort`);
      }
      if (uses) {
        const name: unknown = container?.name;
        (names ??= []).push(typeof name === 'string' ? name : '');
      }
    }
  }
  if (!names || !ports || !paths) return ALLOWED;
  const sortedPorts = [...ports].sort();
  return forbidden(
    'hostPort',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ` +
      `${pluralize('hostPort', 'hostPorts', sortedPorts.length)} ${sortedPorts.join(', ')}`,
    paths,
  );
}

export const hostPorts: PodSecurityCheck = {
  id: 'hostPorts',
  level: 'baseline',
  description: 'Containers must not bind host ports.',
  versions: [{ minimumMinor: 0, checkPod: checkHostPorts }],
};
