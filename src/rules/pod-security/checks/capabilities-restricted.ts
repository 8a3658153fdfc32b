/*
 * capabilities_restricted (restricted, since v1.22; replaces capabilities_baseline)
 *
 * Containers must drop ALL capabilities, and may only add back NET_BIND_SERVICE.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.drop
 * Allowed values: a list that includes "ALL"
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.add
 * Allowed values: undefined, empty, "NET_BIND_SERVICE"
 * Versions: v1.22 adds the check. From v1.25 a pod with spec.os.name "windows" is exempt: API
 * validation forbids capabilities on Windows pods.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { visitContainers } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

const CAPABILITY_ALL = 'ALL';
const CAPABILITY_NET_BIND_SERVICE = 'NET_BIND_SERVICE';

function checkCapabilitiesRestricted(pod: PodUnderReview): CheckResult {
  let missingDropAll: string[] | undefined;
  let dropPaths: string[] | undefined;
  let addingForbidden: string[] | undefined;
  let addPaths: string[] | undefined;
  let forbiddenCapabilities: Set<string> | undefined;
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    const capabilities = container.securityContext?.capabilities;
    if (typeof capabilities !== 'object' || capabilities === null) {
      (missingDropAll ??= []).push(typeof container.name === 'string' ? container.name : '');
      (dropPaths ??= []).push(`${path}.securityContext.capabilities.drop`);
      return;
    }
    const { drop, add } = capabilities;
    if (!Array.isArray(drop) || !drop.includes(CAPABILITY_ALL)) {
      (missingDropAll ??= []).push(typeof container.name === 'string' ? container.name : '');
      (dropPaths ??= []).push(`${path}.securityContext.capabilities.drop`);
    }
    if (!Array.isArray(add)) return;
    let addedForbidden = false;
    for (const capability of add) {
      if (typeof capability === 'string' && capability !== CAPABILITY_NET_BIND_SERVICE) {
        addedForbidden = true;
        (forbiddenCapabilities ??= new Set()).add(capability);
      }
    }
    if (addedForbidden) {
      (addingForbidden ??= []).push(typeof container.name === 'string' ? container.name : '');
      (addPaths ??= []).push(`${path}.securityContext.capabilities.add`);
    }
  });
  if (!missingDropAll && !addingForbidden) return ALLOWED;

  const details: string[] = [];
  const paths: string[] = [];
  if (missingDropAll && dropPaths) {
    details.push(
      `${pluralize('container', 'containers', missingDropAll.length)} ${joinQuote(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`,
    );
    paths.push(...dropPaths);
  }
  if (addingForbidden && addPaths && forbiddenCapabilities) {
    details.push(
      `${pluralize('container', 'containers', addingForbidden.length)} ${joinQuote(addingForbidden)} must not include ${joinQuote(goSorted(forbiddenCapabilities))} in securityContext.capabilities.add`,
    );
    paths.push(...addPaths);
  }
  return forbidden('unrestricted capabilities', details.join('; '), paths);
}

function checkCapabilitiesRestrictedExceptWindows(pod: PodUnderReview): CheckResult {
  return pod.spec.os?.name === 'windows' ? ALLOWED : checkCapabilitiesRestricted(pod);
}

export const capabilitiesRestricted: PodSecurityCheck = {
  id: 'capabilities_restricted',
  level: 'restricted',
  description: 'Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.',
  versions: [
    { minimumMinor: 22, checkPod: checkCapabilitiesRestricted, overrideCheckIds: ['capabilities_baseline'] },
    { minimumMinor: 25, checkPod: checkCapabilitiesRestrictedExceptWindows, overrideCheckIds: ['capabilities_baseline'] },
  ],
};
