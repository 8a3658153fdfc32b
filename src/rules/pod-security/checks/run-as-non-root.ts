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
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

const REASON = 'runAsNonRoot != true';

/** Containers that set runAsNonRoot=false, and those that leave it unset with no pod-level true. */
class Offenders {
  explicitNames: string[] | undefined;
  explicitPaths: string[] | undefined;
  implicitNames: string[] | undefined;
  implicitPaths: string[] | undefined;
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const value = container.securityContext?.runAsNonRoot;
  if (typeof value === 'boolean') {
    if (value) return found;
    found ??= new Offenders();
    (found.explicitNames ??= []).push(containerName(container));
    (found.explicitPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.runAsNonRoot`);
  } else if (pod.spec.securityContext?.runAsNonRoot !== true) {
    found ??= new Offenders();
    (found.implicitNames ??= []).push(containerName(container));
    (found.implicitPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.runAsNonRoot`);
  }
  return found;
};

function checkRunAsNonRoot(pod: PodUnderReview): CheckResult {
  const podSetsFalse = pod.spec.securityContext?.runAsNonRoot === false;
  const found = visitContainers(pod.spec, visitContainer, pod);
  return podSetsFalse || found ? runAsRoot(pod, podSetsFalse, found) : ALLOWED;
}

/** The failure, kept out of checkRunAsNonRoot so that V8 spends its inlining on the passing path. */
function runAsRoot(pod: PodUnderReview, podSetsFalse: boolean, found: Offenders | undefined): CheckResult {
  const podPath = `${pod.specPath}.securityContext.runAsNonRoot`;
  const explicitNames = found?.explicitNames;
  if (podSetsFalse || explicitNames) {
    const setters: string[] = [];
    const paths: string[] = [];
    if (podSetsFalse) {
      setters.push('pod');
      paths.push(podPath);
    }
    if (explicitNames && found.explicitPaths) {
      setters.push(`${pluralize('container', 'containers', explicitNames.length)} ${joinQuote(explicitNames)}`);
      paths.push(...found.explicitPaths);
    }
    return forbidden(REASON, `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`, paths);
  }
  const implicitNames = found?.implicitNames;
  if (implicitNames && found.implicitPaths) {
    return forbidden(
      REASON,
      `pod or ${pluralize('container', 'containers', implicitNames.length)} ${joinQuote(implicitNames)} must set securityContext.runAsNonRoot=true`,
      [podPath, ...found.implicitPaths],
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
  fields: 'pod and containers',
  description: 'Pods or all their containers must set runAsNonRoot to true.',
  versions: [
    { minimumMinor: 0, checkPod: checkRunAsNonRoot },
    { minimumMinor: 35, checkPod: checkRunAsNonRootOutsideUserNamespaces },
  ],
};
