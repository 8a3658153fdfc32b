// Whether a registered webhook configuration is the one policygate would register, and if not, what
// differs (for the log line that says why it was updated). Every field policygate sets must hold the
// value it sets; fields the API server may add in a newer version are left alone, except where
// policygate sets an empty object (objectSelector: {}), which must stay empty: a selector added to it
// would quietly stop requests from being sent.
import { isDeepStrictEqual } from 'node:util';

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `actual` holds every field `wanted` sets, with the same value; arrays element by element, of the same length. */
export function holds(actual: Json, wanted: Json): boolean {
  if (Array.isArray(wanted)) {
    return Array.isArray(actual) && actual.length === wanted.length && wanted.every((item, index) => holds(actual[index], item));
  }
  if (isPlainObject(wanted)) {
    if (!isPlainObject(actual)) return false;
    const keys = Object.keys(wanted);
    if (keys.length === 0) return Object.keys(actual).length === 0;
    return keys.every((key) => holds(actual[key], wanted[key]));
  }
  return isDeepStrictEqual(actual, wanted);
}

export interface RegisteredConfiguration {
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid?: string }[];
    [field: string]: unknown;
  };
  webhooks?: Record<string, Json>[];
  [field: string]: unknown;
}

export interface DesiredConfiguration {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: { uid: string }[] };
  webhooks: readonly object[];
}

/** cert-manager's CA injector would write its own caBundle over the one policygate registers. */
export const FOREIGN_CA_ANNOTATION = 'cert-manager.io/inject-ca-from';

/** What differs, as field paths (`webhooks[0].rules`, `metadata.ownerReferences`); empty when nothing does. */
export function differences(registered: RegisteredConfiguration, desired: DesiredConfiguration): string[] {
  const found: string[] = [];
  const webhooks = registered.webhooks ?? [];
  if (webhooks.length !== desired.webhooks.length) {
    found.push('webhooks');
  } else {
    desired.webhooks.forEach((webhook, index) => {
      for (const [key, value] of Object.entries(webhook)) {
        if (!holds(webhooks[index]?.[key], value)) found.push(`webhooks[${index}].${key}`);
      }
    });
  }
  if (!holds(registered.metadata?.labels ?? {}, desired.metadata.labels)) found.push('metadata.labels');
  const owners = registered.metadata?.ownerReferences ?? [];
  for (const owner of desired.metadata.ownerReferences ?? []) if (!owners.some((candidate) => candidate.uid === owner.uid)) found.push('metadata.ownerReferences');
  if (registered.metadata?.annotations?.[FOREIGN_CA_ANNOTATION] !== undefined) found.push(`metadata.annotations["${FOREIGN_CA_ANNOTATION}"]`);
  return found;
}
