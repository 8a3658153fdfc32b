/*
 * allowPrivilegeEscalation (restricted, since v1.8)
 *
 * Privilege escalation (such as via set-user-ID or set-group-ID file mode) should not be allowed.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.allowPrivilegeEscalation
 * Allowed values: false (unset counts as true)
 * Versions: v1.8 adds the check (the field appeared in Kubernetes 1.8). From v1.25 a pod with
 * spec.os.name "windows" is exempt: API validation forbids the field on Windows pods.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

interface Offenders {
  names: string[];
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  if (container.securityContext?.allowPrivilegeEscalation === false) return found;
  found ??= { names: [], paths: [] };
  found.names.push(containerName(container));
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.allowPrivilegeEscalation`);
  return found;
};

function checkAllowPrivilegeEscalation(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  return forbidden(
    'allowPrivilegeEscalation != false',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must set securityContext.allowPrivilegeEscalation=false`,
    paths,
  );
}

function checkAllowPrivilegeEscalationExceptWindows(pod: PodUnderReview): CheckResult {
  return pod.spec.os?.name === 'windows' ? ALLOWED : checkAllowPrivilegeEscalation(pod);
}

export const allowPrivilegeEscalation: PodSecurityCheck = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  fields: 'containers',
  description: 'Containers must set allowPrivilegeEscalation to false.',
  versions: [
    { minimumMinor: 8, checkPod: checkAllowPrivilegeEscalation },
    { minimumMinor: 25, checkPod: checkAllowPrivilegeEscalationExceptWindows },
  ],
};
