/*
 * seccompProfile_restricted (restricted, since v1.19; replaces seccompProfile_baseline)
 *
 * Seccomp profiles must be set, and only the runtime default and localhost profiles are allowed.
 * Restricted fields: spec.securityContext.seccompProfile.type,
 * spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seccompProfile.type
 * Allowed values: "RuntimeDefault", "Localhost"; undefined at container level when the pod level
 * is set to an allowed value
 * Versions: v1.19 adds the check (the seccompProfile fields appeared in Kubernetes 1.19). From
 * v1.25 a pod with spec.os.name "windows" is exempt: API validation forbids seccomp on Windows pods.
 */
import type { V1Container } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerList, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';
import { profileType } from '../security-profile.js';

/** "RuntimeDefault" or "Localhost". Compared, not looked up in a Set: this runs for every container. */
function allowedType(type: string | undefined): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const REASON = 'seccompProfile';

/** Containers that set a forbidden type (with the types), and those that set none with no allowed pod-level type. */
class Offenders {
  explicitNames: string[] | undefined;
  explicitPaths: string[] | undefined;
  badTypes: Set<string> | undefined;
  implicitNames: string[] | undefined;
  implicitPaths: string[] | undefined;
}

function recordForbiddenType(container: V1Container, list: ContainerList, index: number, pod: PodUnderReview, found: Offenders | undefined, type: string): Offenders {
  found ??= new Offenders();
  (found.explicitNames ??= []).push(containerName(container));
  (found.explicitPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.seccompProfile.type`);
  (found.badTypes ??= new Set()).add(type);
  return found;
}

function recordUnset(container: V1Container, list: ContainerList, index: number, pod: PodUnderReview, found: Offenders | undefined): Offenders {
  found ??= new Offenders();
  (found.implicitNames ??= []).push(containerName(container));
  (found.implicitPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.seccompProfile.type`);
  return found;
}

// Two visitors, one chosen per pod: whether a container may leave its profile unset depends only on
// the pod's own type, so no container re-reads it.
const visitWithPodFallback: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const type = profileType(container.securityContext?.seccompProfile);
  return type === undefined || allowedType(type) ? found : recordForbiddenType(container, list, index, pod, found, type);
};
const visitWithoutPodFallback: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const type = profileType(container.securityContext?.seccompProfile);
  if (type === undefined) return recordUnset(container, list, index, pod, found);
  return allowedType(type) ? found : recordForbiddenType(container, list, index, pod, found, type);
};

function checkSeccompProfileRestricted(pod: PodUnderReview): CheckResult {
  const type = profileType(pod.spec.securityContext?.seccompProfile);
  const podAllowed = allowedType(type);
  const found = podAllowed ? visitContainers(pod.spec, visitWithPodFallback, pod) : visitContainers(pod.spec, visitWithoutPodFallback, pod);
  const podForbidden = type !== undefined && !podAllowed;
  return podForbidden || found ? seccompFailure(pod, podForbidden ? type : undefined, found) : ALLOWED;
}

/**
 * The failure (`podForbiddenType` is the pod's own forbidden type, if any), kept out of
 * checkSeccompProfileRestricted so that V8 spends its inlining on the passing path.
 */
function seccompFailure(pod: PodUnderReview, podForbiddenType: string | undefined, found: Offenders | undefined): CheckResult {
  const podForbidden = podForbiddenType !== undefined;
  const podPath = `${pod.specPath}.securityContext.seccompProfile.type`;
  if (podForbidden || found?.badTypes) {
    const badTypes = new Set<string>();
    const setters: string[] = [];
    const paths: string[] = [];
    if (podForbidden) {
      badTypes.add(podForbiddenType);
      setters.push('pod');
      paths.push(podPath);
    }
    const explicitNames = found?.explicitNames;
    if (explicitNames && found.explicitPaths && found.badTypes) {
      for (const bad of found.badTypes) badTypes.add(bad);
      setters.push(`${pluralize('container', 'containers', explicitNames.length)} ${joinQuote(explicitNames)}`);
      paths.push(...found.explicitPaths);
    }
    return forbidden(
      REASON,
      `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(goSorted(badTypes))}`,
      paths,
    );
  }
  const implicitNames = found?.implicitNames;
  if (implicitNames && found.implicitPaths) {
    return forbidden(
      REASON,
      `pod or ${pluralize('container', 'containers', implicitNames.length)} ${joinQuote(implicitNames)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      [podPath, ...found.implicitPaths],
    );
  }
  return ALLOWED;
}

function checkSeccompProfileRestrictedExceptWindows(pod: PodUnderReview): CheckResult {
  return pod.spec.os?.name === 'windows' ? ALLOWED : checkSeccompProfileRestricted(pod);
}

export const seccompProfileRestricted: PodSecurityCheck = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  fields: 'pod and containers',
  description: 'Pods or all their containers must set a RuntimeDefault or Localhost seccomp profile.',
  versions: [
    { minimumMinor: 19, checkPod: checkSeccompProfileRestricted, overrideCheckIds: ['seccompProfile_baseline'] },
    { minimumMinor: 25, checkPod: checkSeccompProfileRestrictedExceptWindows, overrideCheckIds: ['seccompProfile_baseline'] },
  ],
};
