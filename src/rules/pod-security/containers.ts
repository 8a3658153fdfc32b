// Every container of a pod, in PSA's order: init containers, containers, ephemeral containers.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';

export type ContainerVisitor = (container: V1Container, path: string) => void;

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export function visitContainers(spec: V1PodSpec, specPath: string, visit: ContainerVisitor): void {
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list] as V1Container[] | undefined;
    if (!Array.isArray(containers)) continue;
    for (let i = 0; i < containers.length; i++) {
      const container = containers[i];
      if (container && typeof container === 'object') visit(container, `${specPath}.${list}[${i}]`);
    }
  }
}
