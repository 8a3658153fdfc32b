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

type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';

interface Offenders {
  names: string[];
  ports: Set<string>;
  paths: string[];
}

function scanContainers(
  containers: unknown,
  list: ContainerList,
  pod: PodUnderReview,
  found: Offenders | undefined,
): Offenders | undefined {
  if (!Array.isArray(containers)) return found;
  for (let i = 0; i < containers.length; i++) {
    const container = containers[i] as V1Container | null | undefined;
    const ports: unknown = container?.ports;
    if (!Array.isArray(ports)) continue;
    let named = false;
    for (let p = 0; p < ports.length; p++) {
      const hostPort: unknown = (ports[p] as V1ContainerPort | null | undefined)?.hostPort;
      if (typeof hostPort !== 'number' || hostPort === 0) continue;
      found ??= { names: [], ports: new Set(), paths: [] };
      if (!named) {
        const name: unknown = container?.name;
        found.names.push(typeof name === 'string' ? name : '');
        named = true;
      }
      found.ports.add(String(hostPort));
      found.paths.push(`${pod.specPath}.${list}[${i}].ports[${p}].hostPort`);
    }
  }
  return found;
}

function checkHostPorts(pod: PodUnderReview): CheckResult {
  const spec = pod.spec;
  let found = scanContainers(spec.initContainers, 'initContainers', pod, undefined);
  found = scanContainers(spec.containers, 'containers', pod, found);
  found = scanContainers(spec.ephemeralContainers, 'ephemeralContainers', pod, found);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  const ports = [...found.ports].sort();
  const containers = `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
  const uses = `${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', ports.length)}`;
  return forbidden('hostPort', `${containers} ${uses} ${ports.join(', ')}`, paths);
}

export const hostPorts: PodSecurityCheck = {
  id: 'hostPorts',
  level: 'baseline',
  description: 'Containers must not bind host ports.',
  versions: [{ minimumMinor: 0, checkPod: checkHostPorts }],
};
