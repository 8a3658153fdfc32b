/*
 * procMount_restricted (restricted, since v1.35; overrides procMount)
 *
 * The default /proc masks are set up to reduce attack surface, and should be required by the
 * restricted profile, even for pods in a user namespace.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount
 * Allowed values: undefined, "Default"
 * Before v1.35 the baseline procMount check enforced exactly this at both levels. From v1.35 baseline
 * relaxes it for `hostUsers: false`; this check keeps the unconditional rule at the restricted level
 * and replaces the baseline check there. Its reason and detail are the baseline check's.
 */
import type { PodSecurityCheck } from '../check.js';
import { checkProcMount } from './proc-mount.js';

export const procMountRestricted: PodSecurityCheck = {
  id: 'procMount_restricted',
  level: 'restricted',
  fields: 'containers',
  description: 'Containers must keep the default /proc masks, even in a user namespace.',
  versions: [{ minimumMinor: 35, checkPod: checkProcMount, overrideCheckIds: ['procMount'] }],
};
