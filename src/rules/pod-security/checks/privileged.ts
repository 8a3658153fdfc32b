/*
 * privileged (baseline, since v1.0)
 *
 * Privileged Pods disable most security mechanisms and must be disallowed.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged
 * Allowed values: false, undefined
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { visitContainers } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

function checkPrivileged(pod: PodUnderReview): CheckResult {
  let names: string[] | undefined;
  let paths: string[] | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    if (container.securityContext?.privileged === true) {
      (names ??= []).push(container.name);
      (paths ??= []).push(`${path}.securityContext.privileged`);
    }
  });
  if (!names || !paths) return ALLOWED;
  return forbidden(
    'privileged',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must not set securityContext.privileged=true`,
    paths,
  );
}

export const privileged: PodSecurityCheck = {
  id: 'privileged',
  level: 'baseline',
  description: 'Containers must not run privileged.',
  versions: [{ minimumMinor: 0, checkPod: checkPrivileged }],
};
