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
import type { V1Container } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerList, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

const CAPABILITY_ALL = 'ALL';
const CAPABILITY_NET_BIND_SERVICE = 'NET_BIND_SERVICE';

/** Containers that do not drop ALL, and those that add a forbidden capability (with the capabilities). */
class Offenders {
  missingDropAll: string[] | undefined;
  dropPaths: string[] | undefined;
  addingForbidden: string[] | undefined;
  addPaths: string[] | undefined;
  forbiddenCapabilities: Set<string> | undefined;
}

function recordMissingDropAll(
  container: V1Container,
  list: ContainerList,
  index: number,
  pod: PodUnderReview,
  found: Offenders | undefined,
): Offenders {
  found ??= new Offenders();
  (found.missingDropAll ??= []).push(containerName(container));
  (found.dropPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.capabilities.drop`);
  return found;
}

function recordForbiddenAdds(
  add: unknown[],
  container: V1Container,
  list: ContainerList,
  index: number,
  pod: PodUnderReview,
  found: Offenders | undefined,
): Offenders | undefined {
  let adding: Offenders | undefined; // set once this container adds a forbidden capability
  for (const capability of add) {
    if (typeof capability !== 'string' || capability === CAPABILITY_NET_BIND_SERVICE) continue;
    adding = found ??= new Offenders();
    (adding.forbiddenCapabilities ??= new Set()).add(capability);
  }
  if (adding) {
    (adding.addingForbidden ??= []).push(containerName(container));
    (adding.addPaths ??= []).push(`${containerPath(pod.specPath, list, index)}.securityContext.capabilities.add`);
  }
  return found;
}

// Kept small, with the recording in the functions above, so that V8 inlines it into the check.
const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const capabilities = container.securityContext?.capabilities;
  if (typeof capabilities !== 'object' || capabilities === null) return recordMissingDropAll(container, list, index, pod, found);
  const drop: unknown = capabilities.drop;
  if (!Array.isArray(drop) || !drop.includes(CAPABILITY_ALL)) found = recordMissingDropAll(container, list, index, pod, found);
  const add: unknown = capabilities.add;
  return Array.isArray(add) ? recordForbiddenAdds(add, container, list, index, pod, found) : found;
};

function checkCapabilitiesRestricted(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  return found ? unrestrictedCapabilities(found) : ALLOWED;
}

/** The failure, kept out of checkCapabilitiesRestricted so that V8 spends its inlining on the passing path. */
function unrestrictedCapabilities(found: Offenders): CheckResult {
  const { missingDropAll, dropPaths, addingForbidden, addPaths, forbiddenCapabilities } = found;

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
  fields: 'containers',
  description: 'Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.',
  versions: [
    { minimumMinor: 22, checkPod: checkCapabilitiesRestricted, overrideCheckIds: ['capabilities_baseline'] },
    { minimumMinor: 25, checkPod: checkCapabilitiesRestrictedExceptWindows, overrideCheckIds: ['capabilities_baseline'] },
  ],
};
