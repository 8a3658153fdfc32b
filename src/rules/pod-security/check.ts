// The shape of a Pod Security check, as in PSA's `policy` package: data (ID, level, versioned
// variants) plus a pure function per variant. Field paths are our addition: every failure names the
// fields that caused it.
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import type { Level } from './level-version.js';

export type CheckId =
  | 'allowPrivilegeEscalation'
  | 'appArmorProfile'
  | 'capabilities_baseline'
  | 'capabilities_restricted'
  | 'hostNamespaces'
  | 'hostPathVolumes'
  | 'hostPorts'
  | 'hostProbesAndHostLifecycle'
  | 'privileged'
  | 'procMount'
  | 'procMount_restricted'
  | 'restrictedVolumes'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seLinuxOptions'
  | 'seccompProfile_baseline'
  | 'seccompProfile_restricted'
  | 'sysctls'
  | 'windowsHostProcess';

/**
 * A pod, or a workload's pod template, as the checks see it. Paths are where `metadata` and `spec`
 * sit in the object under review: `metadata`/`spec` for a Pod, `spec.template.metadata`/
 * `spec.template.spec` for a Deployment, and so on.
 */
export interface PodUnderReview {
  metadata: V1ObjectMeta;
  spec: V1PodSpec;
  metadataPath: string;
  specPath: string;
}

export interface CheckResult {
  allowed: boolean;
  /** Short, stable reason, as PSA words it (e.g. `privileged`). */
  reason: string;
  /** Names the offenders and the field, as PSA words it; may be empty. */
  detail: string;
  /** Field paths of every offending field, in the order the detail names them. */
  paths: string[];
}

export type CheckPodFn = (pod: PodUnderReview) => CheckResult;

export interface CheckVersion {
  /** Minor version (1.N) from which this variant applies, until a newer variant replaces it. */
  minimumMinor: number;
  checkPod: CheckPodFn;
  /** Restricted checks only: baseline checks this one replaces from this version on. */
  overrideCheckIds?: readonly CheckId[];
}

export interface PodSecurityCheck {
  id: CheckId;
  level: Exclude<Level, 'privileged'>;
  /**
   * Where its restricted fields sit: in the pod spec and metadata only, in containers only (with
   * their annotations), or both. An exception narrowed to containers excepts container fields only,
   * so it can never apply to a `pod` check.
   */
  fields: 'pod' | 'containers' | 'pod and containers';
  /** One sentence of intent, shown by `policygate rules`. */
  description: string;
  versions: readonly CheckVersion[];
}

/** The one "allowed" result; shared so that a passing check allocates nothing (frozen, paths too, for that reason). */
export const ALLOWED: CheckResult = Object.freeze({ allowed: true, reason: '', detail: '', paths: Object.freeze([]) as unknown as string[] });

export function forbidden(reason: string, detail: string, paths: string[]): CheckResult {
  return { allowed: false, reason, detail, paths };
}
