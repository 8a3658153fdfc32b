/*
 * runAsNonRoot (restricted, since v1.0)
 *
 * Containers must be required to run as non-root users.
 * Restricted fields: spec.securityContext.runAsNonRoot,
 * spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsNonRoot
 * Allowed values: true; undefined at container level when the pod level is true
 * Versions: v1.0 checks every pod. From v1.35 a pod with spec.hostUsers false (its own user
 * namespace, where root is not host root) is exempt; before v1.35 that relaxation sat behind an
 * alpha feature gate, which is gone, so older versions never apply it.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { visitContainers } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

const REASON = 'runAsNonRoot != true';

function checkRunAsNonRoot(pod: PodUnderReview): CheckResult {
  const podValue = pod.spec.securityContext?.runAsNonRoot;
  const podRunAsNonRoot = podValue === true;
  // Containers that set runAsNonRoot=false, and those that leave it unset with no pod-level true.
  let explicitNames: string[] | undefined;
  let explicitPaths: string[] | undefined;
  let implicitNames: string[] | undefined;
  let implicitPaths: string[] | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    const value = container.securityContext?.runAsNonRoot;
    if (typeof value === 'boolean') {
      if (!value) {
        (explicitNames ??= []).push(typeof container.name === 'string' ? container.name : '');
        (explicitPaths ??= []).push(`${path}.securityContext.runAsNonRoot`);
      }
    } else if (!podRunAsNonRoot) {
      (implicitNames ??= []).push(typeof container.name === 'string' ? container.name : '');
      (implicitPaths ??= []).push(`${path}.securityContext.runAsNonRoot`);
    }
  });

  const podPath = `${pod.specPath}.securityContext.runAsNonRoot`;
  if (podValue === false || explicitNames) {
    const setters: string[] = [];
    const paths: string[] = [];
    if (podValue === false) {
      setters.push('pod');
      paths.push(podPath);
    }
    if (explicitNames && explicitPaths) {
      setters.push(`${pluralize('container', 'containers', explicitNames.length)} ${joinQuote(explicitNames)}`);
      paths.push(...explicitPaths);
    }
    return forbidden(REASON, `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`, paths);
  }
  if (implicitNames && implicitPaths) {
    return forbidden(
      REASON,
      `pod or ${pluralize('container', 'containers', implicitNames.length)} ${joinQuote(implicitNames)} must set securityContext.runAsNonRoot=true`,
      [podPath, ...implicitPaths],
    );
  }
  return ALLOWED;
}

function checkRunAsNonRootOutsideUserNamespaces(pod: PodUnderReview): CheckResult {
  return pod.spec.hostUsers === false ? ALLOWED : checkRunAsNonRoot(pod);
}

export const runAsNonRoot: PodSecurityCheck = {
  id: 'runAsNonRoot',
  level: 'restricted',
  description: 'Pods or all their containers must set runAsNonRoot to true.',
  versions: [
    { minimumMinor: 0, checkPod: checkRunAsNonRoot },
    { minimumMinor: 35, checkPod: checkRunAsNonRootOutsideUserNamespaces },
  ],
};
