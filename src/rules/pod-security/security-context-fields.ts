// The securityContext fields the restricted Pod Security level requires, and what each value a
// manifest can hold means for filling it in. Shared by the webhook's `pod-security-context-defaults`
// mutation, which only fills unset fields, and by `policygate fix`, which also replaces a value where
// the standard allows exactly one value and the value set grants nothing that leaving it unset would
// not ("default-equivalent"). Anything else is a person's call: the value says the workload wants more
// than restricted allows, and changing it changes what the workload does.
//
// | Field (restricted needs)                  | Value                                  | Meaning             |
// |-------------------------------------------|----------------------------------------|---------------------|
// | allowPrivilegeEscalation (false)          | false                                  | passes              |
// |                                           | absent or null                         | unset               |
// |                                           | true (unset means true)                | default-equivalent  |
// |                                           | anything else                          | invalid             |
// | capabilities.drop (a list with "ALL")     | a list with "ALL"                      | passes              |
// |                                           | absent, null or []                     | unset               |
// |                                           | a list without "ALL" (say [NET_RAW])   | incomplete: "ALL" is added and nothing removed, which drops |
// |                                           |                                        | exactly what an unset list gets dropped                      |
// |                                           | anything else                          | invalid             |
// | runAsNonRoot (true, on the pod or on      | true                                   | passes              |
// |   every container)                        | absent or null                         | unset               |
// |                                           | false on the pod (unset means false)   | default-equivalent  |
// |                                           | false on a container, the pod not true | default-equivalent  |
// |                                           | false on a container under a pod true  | deliberate: the container opts out of what the pod asks |
// |                                           | anything else                          | invalid             |
// | seccompProfile.type (RuntimeDefault or    | RuntimeDefault, Localhost              | passes              |
// |   Localhost, on the pod or every          | no profile (absent or null)            | unset               |
// |   container)                              | Unconfined, or any other type          | deliberate: two values are allowed, and Unconfined is an explicit opt-out |
// |                                           | a profile without a type, not a map    | invalid             |
//
// Never filled in, whatever the value, because the API server would refuse the result or the pod
// would not start:
// - allowPrivilegeEscalation and capabilities on a privileged container, or one adding SYS_ADMIN:
//   validation refuses allowPrivilegeEscalation=false beside them (and dropping ALL there is moot);
// - allowPrivilegeEscalation, capabilities and seccompProfile on a Windows pod (spec.os.name
//   "windows"): validation forbids them there;
// - runAsNonRoot=true on a container that runs as user 0 (its own runAsUser, or the pod's): the
//   kubelet refuses to start it.
import { isRecord } from '../is-record.js';
import { profileType } from './security-profile.js';

/** What a value means for filling the field in; see the table above. */
export type FieldValue = 'passes' | 'unset' | 'default-equivalent' | 'incomplete' | 'deliberate' | 'invalid';

export const RESTRICTED_SECCOMP_PROFILE = { type: 'RuntimeDefault' } as const;
export const DROP_ALL = 'ALL';

/** Kubernetes treats null like absent. */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** A container's or pod's securityContext as a map, `{}` when unset, or undefined when it is not a map. */
export function securityContextOf(holder: Record<string, unknown>): Record<string, unknown> | undefined {
  const { securityContext } = holder;
  if (isUnset(securityContext)) return {};
  return isRecord(securityContext) ? securityContext : undefined;
}

export function allowPrivilegeEscalationValue(securityContext: Record<string, unknown>): FieldValue {
  const value = securityContext.allowPrivilegeEscalation;
  if (value === false) return 'passes';
  if (isUnset(value)) return 'unset';
  return value === true ? 'default-equivalent' : 'invalid';
}

export function capabilitiesDropValue(securityContext: Record<string, unknown>): FieldValue {
  const { capabilities } = securityContext;
  if (isUnset(capabilities)) return 'unset';
  if (!isRecord(capabilities)) return 'invalid';
  const { drop } = capabilities;
  // An empty list is the same as none in Kubernetes (the API server drops it).
  if (isUnset(drop) || (Array.isArray(drop) && drop.length === 0)) return 'unset';
  if (!Array.isArray(drop)) return 'invalid';
  return drop.includes(DROP_ALL) ? 'passes' : 'incomplete';
}

/** `podRequiresNonRoot`: the pod's own runAsNonRoot is true, so a container's false opts out of it. */
export function runAsNonRootValue(securityContext: Record<string, unknown>, podRequiresNonRoot: boolean): FieldValue {
  const value = securityContext.runAsNonRoot;
  if (value === true) return 'passes';
  if (isUnset(value)) return 'unset';
  if (value !== false) return 'invalid';
  return podRequiresNonRoot ? 'deliberate' : 'default-equivalent';
}

export function seccompProfileValue(securityContext: Record<string, unknown>): FieldValue {
  const { seccompProfile } = securityContext;
  if (isUnset(seccompProfile)) return 'unset';
  if (!isRecord(seccompProfile)) return 'invalid';
  const type = profileType(seccompProfile);
  if (type === 'RuntimeDefault' || type === 'Localhost') return 'passes';
  return type === '' ? 'invalid' : 'deliberate';
}

/** Why a container's allowPrivilegeEscalation and capabilities must be left alone, or undefined. */
export function containerRefusal(securityContext: Record<string, unknown>): string | undefined {
  if (securityContext.privileged === true) return 'the container is privileged';
  const { capabilities } = securityContext;
  if (isRecord(capabilities) && Array.isArray(capabilities.add)) {
    if (capabilities.add.some((capability) => capability === 'SYS_ADMIN' || capability === 'CAP_SYS_ADMIN')) return 'the container adds SYS_ADMIN';
  }
  return undefined;
}

export function isWindowsPod(spec: Record<string, unknown>): boolean {
  return isRecord(spec.os) && spec.os.name === 'windows';
}

/** The runAsUser a container runs with: its own, else the pod's. */
export function effectiveRunAsUser(podSecurityContext: Record<string, unknown> | undefined, containerSecurityContext: Record<string, unknown> | undefined): unknown {
  const own = containerSecurityContext?.runAsUser;
  return isUnset(own) ? podSecurityContext?.runAsUser : own;
}
