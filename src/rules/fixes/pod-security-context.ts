// What `policygate fix` changes in a pod or pod template so that the restricted checks it can fix
// pass: allowPrivilegeEscalation, capabilities_restricted (drop ALL), runAsNonRoot and
// seccompProfile_restricted. Only the checks that failed are fixed, so a pod judged at restricted
// v1.21 does not get capabilities it was not asked for. What each value means (fill it, replace
// it, complete it, or leave it to a person) is decided in security-context-fields.ts, with the
// webhook's mutation; this file decides where the new fields go:
// - seccompProfile and runAsNonRoot go on the pod when no container sets the field itself (one
//   line instead of one per container, as people write it); otherwise on each container that needs
//   it, beside the ones that already set theirs;
// - allowPrivilegeEscalation and capabilities.drop go on each container (there is no pod-level field);
// - a securityContext that is not there is added whole, with its fields in alphabetical order.
// What it leaves is listed as a note with the field and the reason, unless the finding already says
// it (an added capability, a privileged container): notes are for what a person would not guess.
import { isRecord } from '../is-record.js';
import { podSpecInPlace } from '../pod-security/pod-spec.js';
import {
  DROP_ALL,
  RESTRICTED_SECCOMP_PROFILE,
  allowPrivilegeEscalationValue,
  capabilitiesDropValue,
  containerRefusal,
  effectiveRunAsUser,
  isUnset,
  isWindowsPod,
  runAsNonRootValue,
  seccompProfileValue,
  securityContextOf,
} from '../pod-security/security-context-fields.js';
import { jsonPointer } from '../json-pointer.js';
import type { KubeObject, PatchOperation } from '../types.js';
import { fieldPath, type FixNote, type FixPlan, type Tokens } from './plan.js';

export const POD_SECURITY_CONTEXT_CHECKS = ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'] as const;

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** A pod or a container: where its securityContext is, and what it holds (undefined: not a map). */
interface Holder {
  tokens: Tokens;
  securityContext: Record<string, unknown> | undefined;
  /** The securityContext is absent or null: a new one is added whole. */
  bare: boolean;
}

interface Container extends Holder {
  record: Record<string, unknown>;
}

/** One field to set (or one list entry to append) in a holder's securityContext. */
interface Change {
  field: readonly (string | number)[];
  value: unknown;
  replace: boolean;
}

class Planner {
  readonly notes: FixNote[] = [];
  readonly checks = new Set<string>();
  readonly #changes = new Map<Holder, Change[]>();

  set(check: string, holder: Holder, field: Change['field'], value: unknown, replace = false): void {
    this.checks.add(check);
    const changes = this.#changes.get(holder) ?? [];
    changes.push({ field, value, replace });
    this.#changes.set(holder, changes);
  }

  note(holder: Holder, field: string, reason: string): void {
    this.notes.push({ path: fieldPath([...holder.tokens, 'securityContext', ...(field === '' ? [] : field.split('.'))]), reason });
  }

  /** The operations, holder by holder in the order given (the pod, then its containers in order). */
  operations(holders: readonly Holder[]): PatchOperation[] {
    const operations: PatchOperation[] = [];
    for (const holder of holders) {
      const changes = this.#changes.get(holder);
      if (!changes) continue;
      const base = [...holder.tokens, 'securityContext'];
      if (holder.bare) {
        const whole: Record<string, unknown> = {};
        for (const { field, value } of changes) setIn(whole, field, value);
        operations.push({ op: 'add', path: jsonPointer(base), value: sortedKeys(whole) });
        continue;
      }
      for (const { field, value, replace } of changes) operations.push({ op: replace ? 'replace' : 'add', path: jsonPointer([...base, ...field]), value });
    }
    return operations;
  }
}

function setIn(target: Record<string, unknown>, field: Change['field'], value: unknown): void {
  let holder = target;
  for (const token of field.slice(0, -1)) {
    const next = holder[String(token)];
    holder = isRecord(next) ? next : (holder[String(token)] = {});
  }
  holder[String(field.at(-1))] = value;
}

function sortedKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
}

function holderOf(record: Record<string, unknown>, tokens: Tokens): Holder {
  return { tokens, securityContext: securityContextOf(record), bare: isUnset(record.securityContext) };
}

function containersOf(spec: Record<string, unknown>, specTokens: Tokens): Container[] {
  const containers: Container[] = [];
  for (const list of CONTAINER_LISTS) {
    const entries = spec[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      if (isRecord(entry)) containers.push({ record: entry, ...holderOf(entry, [...specTokens, list, index]) });
    });
  }
  return containers;
}

const NOT_A_MAP = 'securityContext is not a map: the API server refuses it as it is';
const WINDOWS = 'a Windows pod (spec.os.name: windows) may not set it: the API server refuses it; Pod Security exempts Windows pods from v1.25';

function fixAllowPrivilegeEscalation(planner: Planner, containers: readonly Container[]): void {
  for (const container of containers) {
    const context = container.securityContext;
    if (!context) continue;
    const value = allowPrivilegeEscalationValue(context);
    if (value === 'passes') continue;
    const refusal = containerRefusal(context);
    if (refusal) planner.note(container, 'allowPrivilegeEscalation', `${refusal}: the API server refuses allowPrivilegeEscalation=false beside it`);
    else if (value === 'unset') planner.set('allowPrivilegeEscalation', container, ['allowPrivilegeEscalation'], false);
    else if (value === 'default-equivalent') planner.set('allowPrivilegeEscalation', container, ['allowPrivilegeEscalation'], false, true);
    else planner.note(container, 'allowPrivilegeEscalation', 'not a boolean');
  }
}

function fixCapabilities(planner: Planner, containers: readonly Container[]): void {
  for (const container of containers) {
    const context = container.securityContext;
    if (!context) continue;
    const value = capabilitiesDropValue(context);
    if (value === 'passes') continue;
    const refusal = containerRefusal(context);
    if (refusal) {
      planner.note(container, 'capabilities.drop', `${refusal}: dropping ALL there changes nothing it is allowed`);
      continue;
    }
    const capabilities = context.capabilities;
    if (value === 'unset' && isUnset(capabilities)) planner.set('capabilities_restricted', container, ['capabilities'], { drop: [DROP_ALL] });
    else if (value === 'unset' && isRecord(capabilities) && isUnset(capabilities.drop)) planner.set('capabilities_restricted', container, ['capabilities', 'drop'], [DROP_ALL]);
    // An empty list, or one without ALL: ALL is appended and nothing the author listed is removed.
    else if (value === 'unset' || value === 'incomplete') planner.set('capabilities_restricted', container, ['capabilities', 'drop', '-'], DROP_ALL);
    else planner.note(container, 'capabilities', 'capabilities or capabilities.drop is not of its type (a map with a list)');
  }
}

function fixRunAsNonRoot(planner: Planner, pod: Holder, containers: readonly Container[]): void {
  const podContext = pod.securityContext;
  if (!podContext) return;
  const podValue = runAsNonRootValue(podContext, false);
  const podRequires = podValue === 'passes';
  if (podValue === 'invalid') planner.note(pod, 'runAsNonRoot', 'not a boolean');
  const needing: { container: Container; replace: boolean }[] = [];
  let containersSetIt = false;
  let everyContainerNeedsIt = true;
  for (const container of containers) {
    const context = container.securityContext;
    if (!context) {
      everyContainerNeedsIt = false;
      continue;
    }
    const value = runAsNonRootValue(context, podRequires);
    if (value !== 'unset') containersSetIt = true;
    if (value === 'passes' || (value === 'unset' && podRequires)) {
      everyContainerNeedsIt = false;
      continue;
    }
    if (effectiveRunAsUser(podContext, context) === 0) {
      everyContainerNeedsIt = false;
      planner.note(container, 'runAsNonRoot', 'the container runs as user 0 (runAsUser): requiring non-root would stop it from starting');
    } else if (value === 'deliberate') {
      everyContainerNeedsIt = false;
      planner.note(container, 'runAsNonRoot', 'the container sets runAsNonRoot: false where the pod requires true: it asks to run as root');
    } else if (value === 'invalid') {
      everyContainerNeedsIt = false;
      planner.note(container, 'runAsNonRoot', 'not a boolean');
    } else needing.push({ container, replace: value === 'default-equivalent' });
  }
  if (podRequires) return;
  if (podValue !== 'invalid' && everyContainerNeedsIt && !containersSetIt) {
    planner.set('runAsNonRoot', pod, ['runAsNonRoot'], true, podValue === 'default-equivalent');
    return;
  }
  for (const { container, replace } of needing) planner.set('runAsNonRoot', container, ['runAsNonRoot'], true, replace);
}

function fixSeccompProfile(planner: Planner, pod: Holder, containers: readonly Container[]): void {
  const podContext = pod.securityContext;
  if (!podContext) return;
  const podValue = seccompProfileValue(podContext);
  if (podValue === 'deliberate') planner.note(pod, 'seccompProfile.type', 'fix does not override a profile type that was chosen; restricted allows RuntimeDefault or Localhost');
  if (podValue === 'invalid') planner.note(pod, 'seccompProfile', 'a seccompProfile needs a type');
  const needing: Container[] = [];
  let containersSetIt = false;
  for (const container of containers) {
    const context = container.securityContext;
    if (!context) continue;
    const value = seccompProfileValue(context);
    if (value !== 'unset') containersSetIt = true;
    if (value === 'deliberate') planner.note(container, 'seccompProfile.type', 'fix does not override a profile type that was chosen; restricted allows RuntimeDefault or Localhost');
    else if (value === 'invalid') planner.note(container, 'seccompProfile', 'a seccompProfile needs a type');
    else if (value === 'unset') needing.push(container);
  }
  // Containers without their own profile inherit the pod's; a pod that chose one keeps it for them.
  if (podValue !== 'unset') return;
  if (!containersSetIt && containers.every((container) => container.securityContext)) {
    planner.set('seccompProfile_restricted', pod, ['seccompProfile'], { ...RESTRICTED_SECCOMP_PROFILE });
    return;
  }
  for (const container of needing) planner.set('seccompProfile_restricted', container, ['seccompProfile'], { ...RESTRICTED_SECCOMP_PROFILE });
}


/** The changes that make the failing checks among POD_SECURITY_CONTEXT_CHECKS pass, where that is safe. */
export function planPodSecurityContextFix(object: KubeObject, failing: ReadonlySet<string>): FixPlan {
  const located = POD_SECURITY_CONTEXT_CHECKS.some((check) => failing.has(check)) ? podSpecInPlace(object) : undefined;
  if (!located) return { operations: [], checks: [], notes: [] };
  const { spec, tokens } = located;
  const planner = new Planner();
  const pod = holderOf(spec, tokens);
  const containers = containersOf(spec, tokens);
  const windows = isWindowsPod(spec);

  if (!pod.securityContext) planner.note(pod, '', NOT_A_MAP);
  for (const container of containers) if (!container.securityContext) planner.note(container, '', NOT_A_MAP);

  if (failing.has('allowPrivilegeEscalation')) {
    if (windows) planner.note(pod, 'allowPrivilegeEscalation', WINDOWS);
    else fixAllowPrivilegeEscalation(planner, containers);
  }
  if (failing.has('capabilities_restricted')) {
    if (windows) planner.note(pod, 'capabilities', WINDOWS);
    else fixCapabilities(planner, containers);
  }
  if (failing.has('runAsNonRoot')) fixRunAsNonRoot(planner, pod, containers);
  if (failing.has('seccompProfile_restricted')) {
    if (windows) planner.note(pod, 'seccompProfile', WINDOWS);
    else fixSeccompProfile(planner, pod, containers);
  }
  return { operations: planner.operations([pod, ...containers]), checks: [...planner.checks], notes: planner.notes };
}
