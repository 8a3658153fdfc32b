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
import { visitContainers } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

function checkAllowPrivilegeEscalation(pod: PodUnderReview): CheckResult {
  let names: string[] | undefined;
  let paths: string[] | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    if (container.securityContext?.allowPrivilegeEscalation !== false) {
      (names ??= []).push(typeof container.name === 'string' ? container.name : '');
      (paths ??= []).push(`${path}.securityContext.allowPrivilegeEscalation`);
    }
  });
  if (!names || !paths) return ALLOWED;
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
  description: 'Containers must set allowPrivilegeEscalation to false.',
  versions: [
    { minimumMinor: 8, checkPod: checkAllowPrivilegeEscalation },
    { minimumMinor: 25, checkPod: checkAllowPrivilegeEscalationExceptWindows },
  ],
};
