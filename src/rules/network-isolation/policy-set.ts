// What the network-isolation checks share: the policy under review with its model, the set of policies
// it joins in its namespace (the context's, with this one in place of its stored version), and the
// plain facts about a direction (does it isolate, does it open everything, what field says so).
import { isRecord } from '../is-record.js';
import { EVERY_PORT, PROTOCOLS, selectorText, type DirectionModel, type PolicyModel, type PolicyUnit } from '../network-policy/index.js';
import type { ClusterContextSource, ContextPolicy, KubeObject } from '../types.js';

/** The policy being judged. */
export interface PolicyUnderReview {
  object: KubeObject;
  model: PolicyModel;
  name: string;
  /** Undefined for a cluster-scoped kind. */
  namespace: string | undefined;
}

/** The policies of the namespace that pods of `policy` are subject to, `policy` itself in place of its stored version. */
export function policiesAround(policy: PolicyUnderReview, around: readonly ContextPolicy[]): ContextPolicy[] {
  const others = around.filter((entry) => !(entry.kind === policy.model.kind && entry.name === policy.name && entry.namespace === policy.namespace));
  return [{ kind: policy.model.kind, name: policy.name, namespace: policy.namespace, model: policy.model }, ...others];
}

/** A direction whose rules apply and which refuses what they do not admit. */
export function isolates(direction: DirectionModel): boolean {
  return direction.inEffect && direction.isolates;
}

/** A rule admitting every peer on every port of every protocol (`ingress: [{}]`): the direction is isolated in name only. */
export function opensEverything(direction: DirectionModel): boolean {
  return direction.rules.some(
    (rule) =>
      rule.action === 'allow' &&
      rule.peers.some((term) => term.kind === 'any' || (term.kind === 'entity' && term.entity === 'all')) &&
      PROTOCOLS.every((protocol) => rule.ports.some((term) => term.protocol === protocol && term.ranges.some(([start, end]) => start <= EVERY_PORT[0] && end >= EVERY_PORT[1]))),
  );
}

/** The isolating directions of a unit, by name. */
export function isolatingDirection(unit: PolicyUnit, name: 'ingress' | 'egress'): DirectionModel | undefined {
  return unit.directions.find((direction) => direction.name === name && isolates(direction));
}

/** The value at a dotted path of the model (`spec.podSelector`, `specs[1].endpointSelector`). */
function valueAt(object: KubeObject, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) {
    const match = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    if (!match || !isRecord(value)) return undefined;
    value = value[match[1] as string];
    if (match[2] !== undefined) value = Array.isArray(value) ? value[Number(match[2])] : undefined;
  }
  return value;
}

/** How a message names the pods a unit selects: `spec.podSelector {app=web}`, `spec.selector "all()"`. */
export function subjectText(object: KubeObject, unit: PolicyUnit): string {
  const value = valueAt(object, unit.subject.path);
  if (value === undefined || value === null) return `${unit.subject.path} (absent: every pod)`;
  return `${unit.subject.path} ${typeof value === 'string' ? JSON.stringify(value) : selectorText(value)}`;
}

/**
 * The field that makes a unit isolate a direction: `spec.policyTypes[1]` (NetworkPolicy) or
 * `spec.types[0]` (Calico) where it is listed, else the direction itself (`spec.egress`).
 */
export function isolationPath(object: KubeObject, unit: PolicyUnit, direction: DirectionModel): string {
  const type = direction.name === 'ingress' ? 'Ingress' : 'Egress';
  for (const field of ['policyTypes', 'types']) {
    const list = valueAt(object, `${unit.path}.${field}`);
    const index = Array.isArray(list) ? list.indexOf(type) : -1;
    if (index !== -1) return `${unit.path}.${field}[${index}]`;
  }
  const enableDefaultDeny = valueAt(object, `${unit.path}.enableDefaultDeny`);
  if (isRecord(enableDefaultDeny) && enableDefaultDeny[direction.name] === true) return `${unit.path}.enableDefaultDeny.${direction.name}`;
  return direction.path;
}

/** Where the policies of a namespace were looked for, as a message says it. */
export function policiesScope(source: ClusterContextSource, namespace: string): string {
  switch (source) {
    case 'admission':
      return `NetworkPolicy in namespace ${namespace}`;
    case 'manifests':
      return `policy for namespace ${namespace} in the input`;
    case 'cluster':
      return `policy in namespace ${namespace}`;
  }
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
