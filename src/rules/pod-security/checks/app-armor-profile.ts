/*
 * appArmorProfile (baseline, since v1.0)
 *
 * On supported hosts the `runtime/default` AppArmor profile applies by default; pods must not
 * override or disable it, except with a profile loaded on the node (`localhost`).
 * Restricted fields and allowed values:
 * - spec.securityContext.appArmorProfile.type and
 *   spec.{initContainers,containers,ephemeralContainers}[*].securityContext.appArmorProfile.type:
 *   RuntimeDefault, Localhost, or no appArmorProfile at all (a profile without a type is forbidden)
 * - metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]: runtime/default,
 *   localhost/*, empty, undefined
 * Versions: one variant since v1.0; the fields are checked at every version, like the annotations.
 * The detail names the pod, then the containers in PSA's order, then the annotations; the values
 * are the sorted distinct types followed by the sorted `key="value"` annotation entries.
 */
import { isRecord } from '../../is-record.js';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { goCompare, goQuote, goSorted, joinQuote, mapEntryPath, pluralize } from '../format.js';
import { profileType } from '../security-profile.js';

export const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function forbiddenType(type: string | undefined): type is string {
  return type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost';
}

function forbiddenAnnotationValue(value: string): boolean {
  return value !== '' && value !== 'runtime/default' && !value.startsWith('localhost/');
}

function byEntry(a: readonly [string, string], b: readonly [string, string]): number {
  return goCompare(a[0], b[0]);
}

interface Offenders {
  names: string[];
  types: Set<string>;
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const type = profileType(container.securityContext?.appArmorProfile);
  if (!forbiddenType(type)) return found;
  found ??= { names: [], types: new Set(), paths: [] };
  found.names.push(containerName(container));
  found.types.add(type);
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.appArmorProfile.type`);
  return found;
};

/** [`key="value"`, key] for each forbidden annotation, sorted by the first. */
function forbiddenAnnotations(map: unknown): [string, string][] | undefined {
  if (!isRecord(map)) return undefined;
  let found: [string, string][] | undefined;
  for (const key in map) {
    if (!key.startsWith(ANNOTATION_PREFIX) || !Object.hasOwn(map, key)) continue;
    const value = map[key];
    if (typeof value !== 'string' || !forbiddenAnnotationValue(value)) continue;
    (found ??= []).push([`${key}=${goQuote(value)}`, key]);
  }
  return found?.sort(byEntry);
}

function checkAppArmorProfile(pod: PodUnderReview): CheckResult {
  const spec = pod.spec;
  const podType = profileType(spec.securityContext?.appArmorProfile);
  const podSets = forbiddenType(podType);
  const containers = visitContainers(spec, visitContainer, pod);
  const annotations = forbiddenAnnotations(pod.metadata.annotations);
  if (!podSets && !containers && !annotations) return ALLOWED;

  const setters: string[] = [];
  const types = new Set<string>();
  const paths: string[] = [];
  if (podSets) {
    setters.push('pod');
    types.add(podType);
    paths.push(`${pod.specPath}.securityContext.appArmorProfile.type`);
  }
  if (containers) {
    setters.push(`${pluralize('container', 'containers', containers.names.length)} ${joinQuote(containers.names)}`);
    for (const type of containers.types) types.add(type);
    paths.push(...containers.paths);
  }
  const values = goSorted(types);
  if (annotations) {
    setters.push(pluralize('annotation', 'annotations', annotations.length));
    for (const [entry, key] of annotations) {
      values.push(entry);
      paths.push(mapEntryPath(`${pod.metadataPath}.annotations`, key));
    }
  }
  // PSA wraps each value in quotes without escaping it: an annotation entry keeps its own quoted
  // value inside, e.g. "container.apparmor.security.beta.kubernetes.io/app="unconfined"".
  return forbidden(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    `${setters.join(' and ')} must not set AppArmor profile type to "${values.join('", "')}"`,
    paths,
  );
}

export const appArmorProfile: PodSecurityCheck = {
  id: 'appArmorProfile',
  level: 'baseline',
  fields: 'pod and containers',
  description: 'Pods and containers must not override the default AppArmor profile, except with a localhost profile.',
  versions: [{ minimumMinor: 0, checkPod: checkAppArmorProfile }],
};
