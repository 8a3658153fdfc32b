/*
 * runAsUser (restricted, since v1.23)
 *
 * Containers must not set runAsUser to 0 (root).
 * Restricted fields: spec.securityContext.runAsUser,
 * spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsUser
 * Allowed values: any non-zero value, undefined
 * Versions: v1.23 adds the check. From v1.35 a pod with spec.hostUsers false (its own user
 * namespace, where root is not host root) is exempt; before v1.35 that relaxation sat behind an
 * alpha feature gate, which is gone, so older versions never apply it.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

interface Offenders {
  names: string[];
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  if (container.securityContext?.runAsUser !== 0) return found;
  found ??= { names: [], paths: [] };
  found.names.push(containerName(container));
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.runAsUser`);
  return found;
};

function checkRunAsUser(pod: PodUnderReview): CheckResult {
  const podIsRoot = pod.spec.securityContext?.runAsUser === 0;
  const containers = visitContainers(pod.spec, visitContainer, pod);
  if (!podIsRoot && !containers) return ALLOWED;

  const setters: string[] = [];
  const paths: string[] = [];
  if (podIsRoot) {
    setters.push('pod');
    paths.push(`${pod.specPath}.securityContext.runAsUser`);
  }
  if (containers) {
    setters.push(`${pluralize('container', 'containers', containers.names.length)} ${joinQuote(containers.names)}`);
    paths.push(...containers.paths);
  }
  return forbidden('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`, paths);
}

function checkRunAsUserOutsideUserNamespaces(pod: PodUnderReview): CheckResult {
  return pod.spec.hostUsers === false ? ALLOWED : checkRunAsUser(pod);
}

export const runAsUser: PodSecurityCheck = {
  id: 'runAsUser',
  level: 'restricted',
  fields: 'pod and containers',
  description: 'Pods and containers must not set runAsUser to 0.',
  versions: [
    { minimumMinor: 23, checkPod: checkRunAsUser },
    { minimumMinor: 35, checkPod: checkRunAsUserOutsideUserNamespaces },
  ],
};
