// The explicit list of Pod Security checks, validated once and compiled into one ordered table per
// level and minor version, so that evaluating a pod is a lookup and a loop.
import type { CheckId, CheckPodFn, PodSecurityCheck } from './check.js';
import { NEWEST_KNOWN_MINOR } from './level-version.js';
import { allowPrivilegeEscalation } from './checks/allow-privilege-escalation.js';
import { appArmorProfile } from './checks/app-armor-profile.js';
import { capabilitiesBaseline } from './checks/capabilities-baseline.js';
import { capabilitiesRestricted } from './checks/capabilities-restricted.js';
import { hostNamespaces } from './checks/host-namespaces.js';
import { hostPathVolumes } from './checks/host-path-volumes.js';
import { hostPorts } from './checks/host-ports.js';
import { hostProbesAndHostLifecycle } from './checks/host-probes-and-host-lifecycle.js';
import { privileged } from './checks/privileged.js';
import { procMount } from './checks/proc-mount.js';
import { procMountRestricted } from './checks/proc-mount-restricted.js';
import { restrictedVolumes } from './checks/restricted-volumes.js';
import { runAsNonRoot } from './checks/run-as-non-root.js';
import { runAsUser } from './checks/run-as-user.js';
import { seLinuxOptions } from './checks/se-linux-options.js';
import { seccompProfileBaseline } from './checks/seccomp-profile-baseline.js';
import { seccompProfileRestricted } from './checks/seccomp-profile-restricted.js';
import { sysctls } from './checks/sysctls.js';
import { windowsHostProcess } from './checks/windows-host-process.js';

export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];

export interface CompiledCheck {
  id: CheckId;
  checkPod: CheckPodFn;
}

/** A check in the table of both levels, with the levels whose table holds it. */
export interface CombinedCheck extends CompiledCheck {
  baseline: boolean;
  restricted: boolean;
}

export interface CheckTables {
  /** Indexed by minor version 0..NEWEST_KNOWN_MINOR. */
  baseline: readonly (readonly CompiledCheck[])[];
  restricted: readonly (readonly CompiledCheck[])[];
  /**
   * Both levels in one table per minor, each check once: baseline's checks in baseline's order, then
   * restricted's own. Read in order, the failures flagged for a level are that level's failures in
   * its own order. A namespace that enforces baseline and warns or audits at restricted (the usual
   * roll-out, and the default) needs both for every pod: one pass instead of two.
   */
  both: readonly (readonly CombinedCheck[])[];
}

/** Throws when the list breaks an invariant PSA's registry also enforces. */
export function validateChecks(checks: readonly PodSecurityCheck[]): void {
  const byId = new Map<string, PodSecurityCheck>();
  for (const check of checks) {
    if (byId.has(check.id)) throw new Error(`pod-security check ${check.id} is registered twice`);
    byId.set(check.id, check);
  }
  for (const check of checks) {
    if (check.versions.length === 0) throw new Error(`pod-security check ${check.id} has no versions`);
    let previous = -1;
    for (const version of check.versions) {
      const { minimumMinor } = version;
      if (!Number.isInteger(minimumMinor) || minimumMinor <= previous || minimumMinor > NEWEST_KNOWN_MINOR) {
        throw new Error(`pod-security check ${check.id}: versions must strictly increase within v1.0..v1.${NEWEST_KNOWN_MINOR}`);
      }
      previous = minimumMinor;
      for (const overridden of version.overrideCheckIds ?? []) {
        if (check.level !== 'restricted') throw new Error(`pod-security check ${check.id}: only restricted checks may override`);
        if (byId.get(overridden)?.level !== 'baseline') {
          throw new Error(`pod-security check ${check.id} overrides ${overridden}, which is not a baseline check`);
        }
      }
    }
  }
}

function variantAt(check: PodSecurityCheck, minor: number) {
  let found;
  for (const version of check.versions) if (version.minimumMinor <= minor) found = version;
  return found;
}

/** Plain code-unit order, as Go sorts strings: it decides the order of reasons in every message. */
function byId(a: PodSecurityCheck, b: PodSecurityCheck): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Baseline checks first, then restricted, each sorted by ID; restricted overrides drop baseline checks. */
export function compileChecks(checks: readonly PodSecurityCheck[]): CheckTables {
  validateChecks(checks);
  const ordered = [
    ...checks.filter((check) => check.level === 'baseline').sort(byId),
    ...checks.filter((check) => check.level === 'restricted').sort(byId),
  ];
  const baseline: CompiledCheck[][] = [];
  const restricted: CompiledCheck[][] = [];
  const both: CombinedCheck[][] = [];
  for (let minor = 0; minor <= NEWEST_KNOWN_MINOR; minor++) {
    const overridden = new Set<CheckId>();
    for (const check of ordered) for (const id of variantAt(check, minor)?.overrideCheckIds ?? []) overridden.add(id);
    const baselineAtMinor: CompiledCheck[] = [];
    const restrictedAtMinor: CompiledCheck[] = [];
    const bothAtMinor: CombinedCheck[] = [];
    for (const check of ordered) {
      const variant = variantAt(check, minor);
      if (!variant) continue;
      const compiled = { id: check.id, checkPod: variant.checkPod };
      const inBaseline = check.level === 'baseline';
      const inRestricted = check.level === 'restricted' || !overridden.has(check.id);
      if (inBaseline) baselineAtMinor.push(compiled);
      if (inRestricted) restrictedAtMinor.push(compiled);
      bothAtMinor.push({ ...compiled, baseline: inBaseline, restricted: inRestricted });
    }
    baseline.push(baselineAtMinor);
    restricted.push(restrictedAtMinor);
    both.push(bothAtMinor);
  }
  return { baseline, restricted, both };
}

export const CHECK_TABLES: CheckTables = compileChecks(POD_SECURITY_CHECKS);

/** The variant of check `id` in force at v1.`minor`, or undefined when the check does not exist there. */
export function checkPodAt(id: CheckId, minor: number, tables: CheckTables = CHECK_TABLES): CheckPodFn | undefined {
  for (const check of tables.both[minor] ?? []) if (check.id === id) return check.checkPod;
  return undefined;
}
