/*
 * privileged (baseline, since v1.0)
 *
 * Privileged Pods disable most security mechanisms and must be disallowed.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged
 * Allowed values: false, undefined
 * Versions: one variant, unchanged since v1.0.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

interface Offenders {
  names: string[];
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  if (container.securityContext?.privileged !== true) return found;
  found ??= { names: [], paths: [] };
  found.names.push(containerName(container));
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.privileged`);
  return found;
};

function checkPrivileged(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  return forbidden(
    'privileged',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must not set securityContext.privileged=true`,
    paths,
  );
}

export const privileged: PodSecurityCheck = {
  id: 'privileged',
  level: 'baseline',
  fields: 'containers',
  description: 'Containers must not run privileged.',
  versions: [{ minimumMinor: 0, checkPod: checkPrivileged }],
};
