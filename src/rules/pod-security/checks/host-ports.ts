/*
 * hostPorts (baseline, since v1.0)
 *
 * HostPort ports must be forbidden.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort
 * Allowed values: undefined, 0
 * Versions: one variant, unchanged since v1.0. The detail names the containers in PSA's order and
 * the distinct ports sorted as text (so 100 comes before 20).
 */
import type { V1ContainerPort } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

interface Offenders {
  names: string[];
  ports: Set<string>;
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const ports: unknown = container.ports;
  if (!Array.isArray(ports)) return found;
  let named = false;
  for (let p = 0; p < ports.length; p++) {
    const hostPort: unknown = (ports[p] as V1ContainerPort | null | undefined)?.hostPort;
    if (typeof hostPort !== 'number' || hostPort === 0) continue;
    found ??= { names: [], ports: new Set(), paths: [] };
    if (!named) {
      found.names.push(containerName(container));
      named = true;
    }
    found.ports.add(String(hostPort));
    found.paths.push(`${containerPath(pod.specPath, list, index)}.ports[${p}].hostPort`);
  }
  return found;
};

function checkHostPorts(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  const ports = goSorted(found.ports);
  const containers = `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
  const uses = `${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', ports.length)}`;
  return forbidden('hostPort', `${containers} ${uses} ${ports.join(', ')}`, paths);
}

export const hostPorts: PodSecurityCheck = {
  id: 'hostPorts',
  level: 'baseline',
  fields: 'containers',
  description: 'Containers must not bind host ports.',
  versions: [{ minimumMinor: 0, checkPod: checkHostPorts }],
};
