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
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { visitContainers } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

const ALLOWED_SECCOMP_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);
const REASON = 'seccompProfile';

/** The profile's type when a profile is set (Go's zero value "" for a missing type), else undefined. */
function profileType(profile: unknown): string | undefined {
  if (typeof profile !== 'object' || profile === null) return undefined;
  const type = (profile as { type?: unknown }).type;
  return typeof type === 'string' ? type : '';
}

function checkSeccompProfileRestricted(pod: PodUnderReview): CheckResult {
  const podType = profileType(pod.spec.securityContext?.seccompProfile);
  const podAllowed = podType !== undefined && ALLOWED_SECCOMP_TYPES.has(podType);
  const podForbidden = podType !== undefined && !podAllowed;
  let badTypes: Set<string> | undefined;
  if (podForbidden) badTypes = new Set([podType]);
  // Containers that set a forbidden type, and those that set none with no allowed pod-level type.
  let explicitNames: string[] | undefined;
  let explicitPaths: string[] | undefined;
  let implicitNames: string[] | undefined;
  let implicitPaths: string[] | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    const type = profileType(container.securityContext?.seccompProfile);
    if (type !== undefined) {
      if (!ALLOWED_SECCOMP_TYPES.has(type)) {
        (explicitNames ??= []).push(typeof container.name === 'string' ? container.name : '');
        (explicitPaths ??= []).push(`${path}.securityContext.seccompProfile.type`);
        (badTypes ??= new Set()).add(type);
      }
    } else if (!podAllowed) {
      (implicitNames ??= []).push(typeof container.name === 'string' ? container.name : '');
      (implicitPaths ??= []).push(`${path}.securityContext.seccompProfile.type`);
    }
  });

  const podPath = `${pod.specPath}.securityContext.seccompProfile.type`;
  if (badTypes) {
    const setters: string[] = [];
    const paths: string[] = [];
    if (podForbidden) {
      setters.push('pod');
      paths.push(podPath);
    }
    if (explicitNames && explicitPaths) {
      setters.push(`${pluralize('container', 'containers', explicitNames.length)} ${joinQuote(explicitNames)}`);
      paths.push(...explicitPaths);
    }
    return forbidden(
      REASON,
      `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(goSorted(badTypes))}`,
      paths,
    );
  }
  if (implicitNames && implicitPaths) {
    return forbidden(
      REASON,
      `pod or ${pluralize('container', 'containers', implicitNames.length)} ${joinQuote(implicitNames)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      [podPath, ...implicitPaths],
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
  description: 'Pods or all their containers must set a RuntimeDefault or Localhost seccomp profile.',
  versions: [
    { minimumMinor: 19, checkPod: checkSeccompProfileRestricted, overrideCheckIds: ['seccompProfile_baseline'] },
    { minimumMinor: 25, checkPod: checkSeccompProfileRestrictedExceptWindows, overrideCheckIds: ['seccompProfile_baseline'] },
  ],
};
