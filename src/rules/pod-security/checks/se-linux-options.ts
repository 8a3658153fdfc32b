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
import { joinQuote, pluralize } from '../format.js';

const ALLOWED_TYPES_V1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const ALLOWED_TYPES_V1_31: ReadonlySet<string> = new Set([...ALLOWED_TYPES_V1_0, 'container_engine_t']);

/** What the offending options set, gathered across the pod and every container. */
interface Violations {
  types: Set<string>;
  user: boolean;
  role: boolean;
  paths: string[];
}

/** Records the forbidden fields of one seLinuxOptions; returns whether there were any. */
function inspect(options: unknown, path: string, allowedTypes: ReadonlySet<string>, found: Violations): boolean {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return false;
  const { type, user, role } = options as V1SELinuxOptions;
  let bad = false;
  const typeText = typeof type === 'string' ? type : '';
  if (!allowedTypes.has(typeText)) {
    found.types.add(typeText);
    found.paths.push(`${path}.type`);
    bad = true;
  }
  if (typeof user === 'string' && user !== '') {
    found.user = true;
    found.paths.push(`${path}.user`);
    bad = true;
  }
  if (typeof role === 'string' && role !== '') {
    found.role = true;
    found.paths.push(`${path}.role`);
    bad = true;
  }
  return bad;
}

function seLinuxOptionsCheck(allowedTypes: ReadonlySet<string>): CheckPodFn {
  return (pod) => {
    let found: Violations | undefined;
    let podIsBad = false;
    let containerNames: string[] | undefined;

    const podOptions: unknown = pod.spec.securityContext?.seLinuxOptions;
    if (podOptions != null) {
      found = { types: new Set(), user: false, role: false, paths: [] };
      podIsBad = inspect(podOptions, `${pod.specPath}.securityContext.seLinuxOptions`, allowedTypes, found);
    }
    visitContainers(pod.spec, pod.specPath, (container, path) => {
      const options: unknown = container.securityContext?.seLinuxOptions;
      if (options == null) return;
      found ??= { types: new Set(), user: false, role: false, paths: [] };
      if (inspect(options, `${path}.securityContext.seLinuxOptions`, allowedTypes, found)) {
        (containerNames ??= []).push(typeof container.name === 'string' ? container.name : '');
      }
    });
    if (!found || (!podIsBad && !containerNames)) return ALLOWED;

    const setters: string[] = [];
    if (podIsBad) setters.push('pod');
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

/** Go's sets.List(): sorted by UTF-8 bytes, which is code-point order, not UTF-16 order. */
function goSorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
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
