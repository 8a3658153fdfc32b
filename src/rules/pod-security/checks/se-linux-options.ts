/*
 * seLinuxOptions (baseline, since v1.0; container_engine_t allowed from v1.31)
 *
 * Setting the SELinux type is restricted, and setting a custom SELinux user or role is forbidden.
 * Restricted fields: spec.securityContext.seLinuxOptions.type and
 *   spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seLinuxOptions.type
 * Allowed values: undefined, "", container_t, container_init_t, container_kvm_t;
 *   v1.31+ also container_engine_t
 * Restricted fields: the same seLinuxOptions' .user and .role
 * Allowed values: undefined, ""
 * seLinuxOptions.level is not restricted.
 */
import type { V1Container, V1SELinuxOptions } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckPodFn, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerList, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';
import { isRecord } from '../../is-record.js';

const ALLOWED_TYPES_V1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const ALLOWED_TYPES_V1_31: ReadonlySet<string> = new Set([...ALLOWED_TYPES_V1_0, 'container_engine_t']);

const BAD_TYPE = 1;
const BAD_USER = 2;
const BAD_ROLE = 4;

function typeOf(options: V1SELinuxOptions): string {
  return typeof options.type === 'string' ? options.type : '';
}

/** Which fields of one seLinuxOptions are forbidden, as BAD_* bits; 0 when none (or not an object). */
function violationsOf(options: unknown, allowedTypes: ReadonlySet<string>): number {
  if (!isRecord(options)) return 0;
  const { user, role } = options as V1SELinuxOptions;
  let bad = 0;
  if (!allowedTypes.has(typeOf(options as V1SELinuxOptions))) bad |= BAD_TYPE;
  if (typeof user === 'string' && user !== '') bad |= BAD_USER;
  if (typeof role === 'string' && role !== '') bad |= BAD_ROLE;
  return bad;
}

/** What the offending options set, across the pod and every container, with the field paths. */
class Findings {
  readonly types = new Set<string>();
  user = false;
  role = false;
  readonly paths: string[] = [];
  containerNames: string[] | undefined;

  record(options: V1SELinuxOptions, bad: number, path: string): void {
    if (bad & BAD_TYPE) {
      this.types.add(typeOf(options));
      this.paths.push(`${path}.type`);
    }
    if (bad & BAD_USER) {
      this.user = true;
      this.paths.push(`${path}.user`);
    }
    if (bad & BAD_ROLE) {
      this.role = true;
      this.paths.push(`${path}.role`);
    }
  }
}

function visitContainer(
  container: V1Container,
  list: ContainerList,
  index: number,
  pod: PodUnderReview,
  found: Findings | undefined,
  allowedTypes: ReadonlySet<string>,
): Findings | undefined {
  const options = container.securityContext?.seLinuxOptions;
  const bad = violationsOf(options, allowedTypes);
  if (bad === 0) return found;
  found ??= new Findings();
  found.record(options!, bad, `${containerPath(pod.specPath, list, index)}.securityContext.seLinuxOptions`);
  (found.containerNames ??= []).push(containerName(container));
  return found;
}

// One visitor per variant, each a module-level constant (see containers.ts).
const visitContainerV1_0: ContainerVisitor<PodUnderReview, Findings> = (container, list, index, pod, found) =>
  visitContainer(container, list, index, pod, found, ALLOWED_TYPES_V1_0);
const visitContainerV1_31: ContainerVisitor<PodUnderReview, Findings> = (container, list, index, pod, found) =>
  visitContainer(container, list, index, pod, found, ALLOWED_TYPES_V1_31);

function checkSeLinuxOptions(
  pod: PodUnderReview,
  allowedTypes: ReadonlySet<string>,
  visit: ContainerVisitor<PodUnderReview, Findings>,
): CheckResult {
  let podFindings: Findings | undefined;
  const podOptions = pod.spec.securityContext?.seLinuxOptions;
  const podBad = violationsOf(podOptions, allowedTypes);
  if (podBad !== 0) (podFindings = new Findings()).record(podOptions!, podBad, `${pod.specPath}.securityContext.seLinuxOptions`);
  const found = visitContainers(pod.spec, visit, pod, podFindings);
  if (!found) return ALLOWED;

  const setters: string[] = [];
  if (podBad !== 0) setters.push('pod');
  const containerNames = found.containerNames;
  if (containerNames) setters.push(`${pluralize('container', 'containers', containerNames.length)} ${joinQuote(containerNames)}`);
  const problems: string[] = [];
  if (found.types.size > 0) problems.push(`${pluralize('type', 'types', found.types.size)} ${joinQuote(goSorted(found.types))}`);
  if (found.user) problems.push('user may not be set');
  if (found.role) problems.push('role may not be set');
  return forbidden(
    'seLinuxOptions',
    `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}`,
    found.paths,
  );
}

const checkSeLinuxOptionsV1_0: CheckPodFn = (pod) => checkSeLinuxOptions(pod, ALLOWED_TYPES_V1_0, visitContainerV1_0);
const checkSeLinuxOptionsV1_31: CheckPodFn = (pod) => checkSeLinuxOptions(pod, ALLOWED_TYPES_V1_31, visitContainerV1_31);

export const seLinuxOptions: PodSecurityCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  fields: 'pod and containers',
  description: 'SELinux options may use only the container types, and must not set a user or role.',
  versions: [
    { minimumMinor: 0, checkPod: checkSeLinuxOptionsV1_0 },
    { minimumMinor: 31, checkPod: checkSeLinuxOptionsV1_31 },
  ],
};
