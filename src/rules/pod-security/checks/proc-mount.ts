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
import { visitContainers } from '../containers.js';
import { joinQuote, pluralize, goSorted } from '../format.js';

const DEFAULT_PROC_MOUNT = 'Default';

/** v1.0: every container must leave procMount unset or `Default`. Shared with procMount_restricted. */
export function checkProcMount(pod: PodUnderReview): CheckResult {
  let names: string[] | undefined;
  let types: Set<string> | undefined;
  let paths: string[] | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    const procMount: unknown = container.securityContext?.procMount;
    if (typeof procMount !== 'string' || procMount === DEFAULT_PROC_MOUNT) return;
    (names ??= []).push(typeof container.name === 'string' ? container.name : '');
    (types ??= new Set()).add(procMount);
    (paths ??= []).push(`${path}.securityContext.procMount`);
  });
  if (!names || !types || !paths) return ALLOWED;
  return forbidden(
    'procMount',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must not set securityContext.procMount to ${joinQuote(goSorted(types))}`,
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
  description: 'Containers must keep the default /proc masks, unless the pod runs in a user namespace (from v1.35).',
  versions: [
    { minimumMinor: 0, checkPod: checkProcMount },
    { minimumMinor: 35, checkPod: checkProcMountOutsideUserNamespace },
  ],
};
