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
import { visitContainers } from '../containers.js';
import { goQuote, joinQuote, mapEntryPath, pluralize, goSorted } from '../format.js';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const ALLOWED_ANNOTATION_VALUES: ReadonlySet<string> = new Set(['runtime/default', 'docker/default']);
const LOCALHOST_ANNOTATION_PREFIX = 'localhost/';
const ALLOWED_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return ALLOWED_ANNOTATION_VALUES.has(value) || value.startsWith(LOCALHOST_ANNOTATION_PREFIX);
}

/** v1.0: the alpha seccomp annotations, for the pod and for each container by name. */
function checkSeccompAnnotations(pod: PodUnderReview): CheckResult {
  const annotations: unknown = pod.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null) return ALLOWED;
  const values = annotations as Record<string, unknown>;
  // `key="value"` -> path; PSA keeps a set of these strings, so repeats collapse and the list sorts.
  let offenders: Map<string, string> | undefined;
  const inspect = (key: string) => {
    const value = values[key];
    if (typeof value !== 'string' || allowedAnnotationValue(value)) return;
    (offenders ??= new Map()).set(`${key}=${goQuote(value)}`, mapEntryPath(`${pod.metadataPath}.annotations`, key));
  };
  inspect(POD_ANNOTATION);
  visitContainers(pod.spec, pod.specPath, (container) => {
    inspect(CONTAINER_ANNOTATION_PREFIX + (typeof container.name === 'string' ? container.name : ''));
  });
  if (!offenders) return ALLOWED;
  const texts = goSorted(offenders.keys());
  return forbidden(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', texts.length)} ${texts.join(', ')}`,
    texts.map((text) => offenders!.get(text)!),
  );
}

/** The profile type a seccompProfile sets, or undefined when there is no seccompProfile object. */
function profileType(profile: unknown): string | undefined {
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return undefined;
  const type: unknown = (profile as { type?: unknown }).type;
  return typeof type === 'string' ? type : '';
}

/** v1.19: the seccompProfile.type fields, on the pod and on each container. */
function checkSeccompProfileTypes(pod: PodUnderReview): CheckResult {
  const podType = profileType(pod.spec.securityContext?.seccompProfile);
  const podIsBad = podType !== undefined && !ALLOWED_TYPES.has(podType);
  let names: string[] | undefined;
  let types: Set<string> | undefined;
  let paths: string[] | undefined;
  if (podIsBad) {
    types = new Set([podType]);
    paths = [`${pod.specPath}.securityContext.seccompProfile.type`];
  }
  visitContainers(pod.spec, pod.specPath, (container, path) => {
    const type = profileType(container.securityContext?.seccompProfile);
    if (type === undefined || ALLOWED_TYPES.has(type)) return;
    (names ??= []).push(typeof container.name === 'string' ? container.name : '');
    (types ??= new Set()).add(type);
    (paths ??= []).push(`${path}.securityContext.seccompProfile.type`);
  });
  if (!types || !paths) return ALLOWED;
  const setters: string[] = [];
  if (podIsBad) setters.push('pod');
  if (names) setters.push(`${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`);
  return forbidden(
    'seccompProfile',
    `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(goSorted(types))}`,
    paths,
  );
}


export const seccompProfileBaseline: PodSecurityCheck = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  description: 'Seccomp profiles, where set, must be the runtime default or a localhost profile.',
  versions: [
    { minimumMinor: 0, checkPod: checkSeccompAnnotations },
    { minimumMinor: 19, checkPod: checkSeccompProfileTypes },
  ],
};
