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
import type { V1SELinuxOptions } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckPodFn, type PodSecurityCheck } from '../check.js';
import { visitContainers } from '../containers.js';
import { joinQuote, pluralize, goSorted } from '../format.js';

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
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return 0;
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

function seLinuxOptionsCheck(allowedTypes: ReadonlySet<string>): CheckPodFn {
  return (pod) => {
    let found: Findings | undefined;
    let containerNames: string[] | undefined;

    const podOptions = pod.spec.securityContext?.seLinuxOptions;
    const podBad = violationsOf(podOptions, allowedTypes);
    if (podBad !== 0) (found = new Findings()).record(podOptions!, podBad, `${pod.specPath}.securityContext.seLinuxOptions`);
    visitContainers(pod.spec, pod.specPath, (container, path) => {
      const options = container.securityContext?.seLinuxOptions;
      const bad = violationsOf(options, allowedTypes);
      if (bad === 0) return;
      (found ??= new Findings()).record(options!, bad, `${path}.securityContext.seLinuxOptions`);
      (containerNames ??= []).push(typeof container.name === 'string' ? container.name : '');
    });
    if (!found) return ALLOWED;

    const setters: string[] = [];
    if (podBad !== 0) setters.push('pod');
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
  };
}


export const seLinuxOptions: PodSecurityCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  description: 'SELinux options may use only the container types, and must not set a user or role.',
  versions: [
    { minimumMinor: 0, checkPod: seLinuxOptionsCheck(ALLOWED_TYPES_V1_0) },
    { minimumMinor: 31, checkPod: seLinuxOptionsCheck(ALLOWED_TYPES_V1_31) },
  ],
};
