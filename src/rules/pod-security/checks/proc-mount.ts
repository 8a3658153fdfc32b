/*
 * procMount (baseline, since v1.0; relaxed for user-namespace pods from v1.35)
 *
 * The default /proc masks are set up to reduce attack surface, and should be required.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount
 * Allowed values: undefined, "Default"
 * v1.35+: any value is allowed when the pod runs in a user namespace (spec.hostUsers: false). The
 * restricted level keeps the unconditional rule through procMount_restricted, which overrides this
 * check from v1.35.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

const DEFAULT_PROC_MOUNT = 'Default';

interface Offenders {
  names: string[];
  types: Set<string>;
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const procMount: unknown = container.securityContext?.procMount;
  if (typeof procMount !== 'string' || procMount === DEFAULT_PROC_MOUNT) return found;
  found ??= { names: [], types: new Set(), paths: [] };
  found.names.push(containerName(container));
  found.types.add(procMount);
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.procMount`);
  return found;
};

/** v1.0: every container must leave procMount unset or `Default`. Shared with procMount_restricted. */
export function checkProcMount(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  return forbidden(
    'procMount',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must not set securityContext.procMount to ${joinQuote(goSorted(found.types))}`,
    paths,
  );
}

/** v1.35: as v1.0, except that a pod in a user namespace (`hostUsers: false`) may set any value. */
function checkProcMountOutsideUserNamespace(pod: PodUnderReview): CheckResult {
  if (pod.spec.hostUsers === false) return ALLOWED;
  return checkProcMount(pod);
}

export const procMount: PodSecurityCheck = {
  id: 'procMount',
  level: 'baseline',
  fields: 'containers',
  description: 'Containers must keep the default /proc masks, unless the pod runs in a user namespace (from v1.35).',
  versions: [
    { minimumMinor: 0, checkPod: checkProcMount },
    { minimumMinor: 35, checkPod: checkProcMountOutsideUserNamespace },
  ],
};
