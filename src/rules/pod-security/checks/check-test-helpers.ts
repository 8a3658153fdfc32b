// Shared by the per-check unit tests: run one check's variant for a given minor version, and the
// fixtures of checks that share one check function.
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import type { CheckResult, PodSecurityCheck } from '../check.js';

/** Runs the variant of `check` in force at v1.`minor` on a Pod with this spec and metadata. */
export function runCheck(check: PodSecurityCheck, minor: number, spec: unknown, metadata: V1ObjectMeta = {}): CheckResult {
  let variant;
  for (const version of check.versions) if (version.minimumMinor <= minor) variant = version;
  if (!variant) throw new Error(`${check.id} has no variant at v1.${minor}`);
  return variant.checkPod({ metadata, spec: spec as V1PodSpec, metadataPath: 'metadata', specPath: 'spec' });
}

/**
 * PSA's procMount table, for procMount and procMount_restricted (which reuses its check): a..c are
 * allowed, d and e are not.
 */
export const PSA_PROC_MOUNT = {
  containers: [
    { name: 'a' },
    { name: 'b', securityContext: {} },
    { name: 'c', securityContext: { procMount: 'Default' } },
    { name: 'd', securityContext: { procMount: 'Unmasked' } },
    { name: 'e', securityContext: { procMount: 'other' } },
  ],
  result: {
    allowed: false,
    reason: 'procMount',
    detail: 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
    paths: ['spec.containers[3].securityContext.procMount', 'spec.containers[4].securityContext.procMount'],
  },
};
