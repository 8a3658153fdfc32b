// Mutation `pod-security-context-defaults`: fills in the security context fields the restricted Pod
// Security level requires, where the pod or container leaves them unset, so that a plain workload
// passes restricted without its authors learning four fields first:
//   pod:        securityContext.seccompProfile {type: RuntimeDefault}, securityContext.runAsNonRoot true
//   containers: securityContext.allowPrivilegeEscalation false, securityContext.capabilities.drop [ALL]
// (init, regular and ephemeral containers alike). A field that is set is never touched, even to a
// weaker value: the pod-security rule then reports it. Off by default: runAsNonRoot stops an image
// that runs as root from starting, and dropping ALL removes capabilities some images rely on.
//
// What it leaves alone, because the API server would refuse the result or the pod would not start:
// - Windows pods (`spec.os.name: windows`) get runAsNonRoot only; validation forbids the rest there.
// - A privileged container, or one adding SYS_ADMIN, is not touched: validation refuses
//   allowPrivilegeEscalation=false beside them, and such a container cannot pass restricted anyway.
// - runAsNonRoot is not added when the pod or a container asks for runAsUser 0.
// - A Pod's spec is immutable after creation: on UPDATE only the ephemeral containers being added
//   through the `ephemeralcontainers` subresource are filled in. Other subresources are never patched.
// - What the pod-security rule exempts (its exemptNamespaces, and PSA-style exempt namespaces, users
//   and runtime classes, kube-system by default): kube-proxy and CNI pods there run as root.
import { isRecord } from '../is-record.js';
import { jsonPointer } from '../json-pointer.js';
import { isKind, namespaceOf } from '../kinds.js';
import { isExemptNamespace } from '../modes.js';
import { podSecurityExemption } from '../pod-security.js';
import { POD_BEARING_KINDS, POD_KIND, podSpecInPlace } from '../pod-security/pod-spec.js';
import {
  DROP_ALL,
  RESTRICTED_SECCOMP_PROFILE,
  allowPrivilegeEscalationValue,
  capabilitiesDropValue,
  containerRefusal,
  isUnset,
  isWindowsPod,
  runAsNonRootValue,
  seccompProfileValue,
} from '../pod-security/security-context-fields.js';
import type { KubeObject, Mutation, PatchOperation, RuleContext } from '../types.js';

type Tokens = readonly (string | number)[];
type Scope = 'whole-pod' | 'new-ephemeral-containers';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const EPHEMERAL_CONTAINERS = ['ephemeralContainers'] as const;
const NO_NAMES: ReadonlySet<unknown> = new Set();

function add(tokens: Tokens, value: unknown): PatchOperation {
  return { op: 'add', path: jsonPointer(tokens), value };
}

/** What this request may patch, or undefined when it must not be patched at all. */
function scopeOf(object: KubeObject, context: RuleContext): Scope | undefined {
  const subResource = context.subResource ?? '';
  if (!isKind(object, POD_KIND)) return subResource === '' ? 'whole-pod' : undefined;
  if (context.operation === 'CREATE' && subResource === '') return 'whole-pod';
  if (context.operation === 'UPDATE' && subResource === 'ephemeralcontainers') return 'new-ephemeral-containers';
  return undefined;
}


/** A pod spec or container whose securityContext sets runAsUser 0. */
function isRoot(holder: unknown): boolean {
  return isRecord(holder) && isRecord(holder.securityContext) && holder.securityContext.runAsUser === 0;
}

function asksForRoot(spec: Record<string, unknown>): boolean {
  if (isRoot(spec)) return true;
  return CONTAINER_LISTS.some((list) => {
    const containers = spec[list];
    return Array.isArray(containers) && containers.some(isRoot);
  });
}

// The webhook fills only what is unset (see security-context-fields.ts): it runs unseen on every
// request, so a value someone set is theirs, even where `policygate fix` would replace it.
function podLevel(spec: Record<string, unknown>, specTokens: Tokens, windows: boolean): PatchOperation[] {
  const tokens = [...specTokens, 'securityContext'];
  const { securityContext } = spec;
  if (!isUnset(securityContext) && !isRecord(securityContext)) return [];
  const current = isRecord(securityContext) ? securityContext : {};
  const wanted: Record<string, unknown> = {};
  if (!windows && seccompProfileValue(current) === 'unset') wanted.seccompProfile = { ...RESTRICTED_SECCOMP_PROFILE };
  if (!asksForRoot(spec) && runAsNonRootValue(current, false) === 'unset') wanted.runAsNonRoot = true;
  if (isUnset(securityContext)) return Object.keys(wanted).length === 0 ? [] : [add(tokens, wanted)];
  return Object.entries(wanted).map(([field, value]) => add([...tokens, field], value));
}

function containerLevel(container: Record<string, unknown>, containerTokens: Tokens): PatchOperation[] {
  const tokens = [...containerTokens, 'securityContext'];
  const { securityContext } = container;
  if (isUnset(securityContext)) return [add(tokens, { allowPrivilegeEscalation: false, capabilities: { drop: [DROP_ALL] } })];
  if (!isRecord(securityContext) || containerRefusal(securityContext) !== undefined) return [];

  const operations: PatchOperation[] = [];
  if (allowPrivilegeEscalationValue(securityContext) === 'unset') operations.push(add([...tokens, 'allowPrivilegeEscalation'], false));
  if (capabilitiesDropValue(securityContext) === 'unset') {
    operations.push(
      isUnset(securityContext.capabilities)
        ? add([...tokens, 'capabilities'], { drop: [DROP_ALL] })
        : add([...tokens, 'capabilities', 'drop'], [DROP_ALL]),
    );
  }
  return operations;
}

/** The names of the ephemeral containers the pod already had: those are immutable, and not patched again. */
function ephemeralContainerNames(object: KubeObject | undefined): ReadonlySet<unknown> {
  const containers = object ? podSpecInPlace(object)?.spec.ephemeralContainers : undefined;
  return new Set(Array.isArray(containers) ? containers.map((container: unknown) => (isRecord(container) ? container.name : undefined)) : []);
}

function isExempt(object: KubeObject, context: RuleContext, spec: Record<string, unknown>): boolean {
  const namespace = namespaceOf(object, context);
  return isExemptNamespace(context.config.rules['pod-security'], namespace) || podSecurityExemption(object, context, spec) !== undefined;
}

function patchPod(object: KubeObject, context: RuleContext): PatchOperation[] {
  const scope = scopeOf(object, context);
  if (!scope) return [];
  const located = podSpecInPlace(object);
  if (!located || isExempt(object, context, located.spec)) return [];
  const { spec, tokens } = located;
  const windows = isWindowsPod(spec);

  const operations = scope === 'whole-pod' ? podLevel(spec, tokens, windows) : [];
  if (windows) return operations;
  const lists = scope === 'whole-pod' ? CONTAINER_LISTS : EPHEMERAL_CONTAINERS;
  const existing = scope === 'whole-pod' ? NO_NAMES : ephemeralContainerNames(context.oldObject);
  for (const list of lists) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, index) => {
      if (!isRecord(container) || existing.has(container.name)) return;
      operations.push(...containerLevel(container, [...tokens, list, index]));
    });
  }
  return operations;
}

export const podSecurityContextDefaults: Mutation = {
  id: 'pod-security-context-defaults',
  description:
    'Fills unset securityContext fields of pods and pod templates with what the restricted Pod Security level needs: ' +
    'seccompProfile RuntimeDefault and runAsNonRoot at pod level, allowPrivilegeEscalation false and capabilities.drop [ALL] per container.',
  appliesTo: POD_BEARING_KINDS,
  enabled: (config) => config.mutations.podSecurityContextDefaults,
  patch: patchPod,
};
