/*
 * seccompProfile_baseline (baseline, since v1.0; annotations until v1.18, fields from v1.19)
 *
 * If seccomp profiles are specified, only the runtime default and localhost profiles are allowed.
 * v1.0 - v1.18:
 *   Restricted fields: metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"] and
 *     metadata.annotations["container.seccomp.security.alpha.kubernetes.io/<name>"] for every
 *     init, regular and ephemeral container
 *   Allowed values: undefined, "runtime/default", "docker/default", "localhost/*"
 * v1.19+ (the annotations are no longer checked):
 *   Restricted fields: spec.securityContext.seccompProfile.type and
 *     spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seccompProfile.type
 *   Allowed values: undefined (no seccompProfile), "RuntimeDefault", "Localhost"
 * At the restricted level seccompProfile_restricted replaces this check from v1.19.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { goQuote, goSorted, joinQuote, mapEntryPath, pluralize } from '../format.js';
import { profileType } from '../security-profile.js';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const ALLOWED_ANNOTATION_VALUES: ReadonlySet<string> = new Set(['runtime/default', 'docker/default']);
const LOCALHOST_ANNOTATION_PREFIX = 'localhost/';
const ALLOWED_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return ALLOWED_ANNOTATION_VALUES.has(value) || value.startsWith(LOCALHOST_ANNOTATION_PREFIX);
}

/** `key="value"` -> path; PSA keeps a set of these strings, so repeats collapse and the list sorts. */
type AnnotationOffenders = Map<string, string>;

function inspectAnnotation(pod: PodUnderReview, key: string, offenders: AnnotationOffenders | undefined): AnnotationOffenders | undefined {
  const value = (pod.metadata.annotations as Record<string, unknown>)[key];
  if (typeof value !== 'string' || allowedAnnotationValue(value)) return offenders;
  (offenders ??= new Map()).set(`${key}=${goQuote(value)}`, mapEntryPath(`${pod.metadataPath}.annotations`, key));
  return offenders;
}

const visitAnnotatedContainer: ContainerVisitor<PodUnderReview, AnnotationOffenders> = (container, _list, _index, pod, offenders) =>
  inspectAnnotation(pod, CONTAINER_ANNOTATION_PREFIX + containerName(container), offenders);

/** v1.0: the alpha seccomp annotations, for the pod and for each container by name. */
function checkSeccompAnnotations(pod: PodUnderReview): CheckResult {
  const annotations: unknown = pod.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null) return ALLOWED;
  const podOffender = inspectAnnotation(pod, POD_ANNOTATION, undefined);
  const offenders = visitContainers(pod.spec, visitAnnotatedContainer, pod, podOffender);
  if (!offenders) return ALLOWED;
  const texts = goSorted(offenders.keys());
  return forbidden(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', texts.length)} ${texts.join(', ')}`,
    texts.map((text) => offenders.get(text)!),
  );
}

/** Forbidden types set on the pod and its containers, the containers that set them, the fields. */
class TypeOffenders {
  containerNames: string[] | undefined;
  readonly types = new Set<string>();
  readonly paths: string[] = [];
}

const visitTypedContainer: ContainerVisitor<PodUnderReview, TypeOffenders> = (container, list, index, pod, found) => {
  const type = profileType(container.securityContext?.seccompProfile);
  if (type === undefined || ALLOWED_TYPES.has(type)) return found;
  found ??= new TypeOffenders();
  (found.containerNames ??= []).push(containerName(container));
  found.types.add(type);
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.seccompProfile.type`);
  return found;
};

/** v1.19: the seccompProfile.type fields, on the pod and on each container. */
function checkSeccompProfileTypes(pod: PodUnderReview): CheckResult {
  const podType = profileType(pod.spec.securityContext?.seccompProfile);
  const podIsBad = podType !== undefined && !ALLOWED_TYPES.has(podType);
  let podOffender: TypeOffenders | undefined;
  if (podIsBad) {
    podOffender = new TypeOffenders();
    podOffender.types.add(podType);
    podOffender.paths.push(`${pod.specPath}.securityContext.seccompProfile.type`);
  }
  const found = visitContainers(pod.spec, visitTypedContainer, pod, podOffender);
  if (!found) return ALLOWED;
  const setters: string[] = [];
  if (podIsBad) setters.push('pod');
  const names = found.containerNames;
  if (names) setters.push(`${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`);
  return forbidden(
    'seccompProfile',
    `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(goSorted(found.types))}`,
    found.paths,
  );
}

export const seccompProfileBaseline: PodSecurityCheck = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  fields: 'pod and containers',
  description: 'Seccomp profiles, where set, must be the runtime default or a localhost profile.',
  versions: [
    { minimumMinor: 0, checkPod: checkSeccompAnnotations },
    { minimumMinor: 19, checkPod: checkSeccompProfileTypes },
  ],
};
