// An object being deleted (its deletionTimestamp set, held by a finalizer) is still in force until
// the last finalizer goes: a terminating NetworkPolicy still admits what it admits. So updates to it
// are judged like any other, except the ones the controllers that finish a deletion must make, which
// change nothing the rules judge: without those a deletion could hang on policygate.
//
// What may change, and why:
//   metadata.finalizers       each finalizer's controller removes its own; the garbage collector
//                             removes orphan/foregroundDeletion
//   metadata.ownerReferences  the garbage collector removes the references to a deleted owner
//   metadata.managedFields, metadata.resourceVersion, metadata.generation
//                             kept by the API server on every write
//   status                    controllers report progress (the namespace controller's conditions)
// Everything else must be as it was: a spec, a label or an annotation that changes is judged.
// The validating webhook's configuration (src/webhooks/configurations.ts) keeps these updates from
// being sent at all (its match condition says the same in CEL, from these lists), so that a deletion
// does not wait for policygate even when it is down.
import { isRecord } from '../rules/is-record.js';
import type { AdmissionRequest } from './types.js';

/** The metadata fields a controller changes while it lets a terminating object go. */
export const RELEASE_METADATA_FIELDS: readonly string[] = ['finalizers', 'ownerReferences', 'managedFields', 'resourceVersion', 'generation'];
/** The top-level fields besides metadata that may change while an object terminates. */
export const RELEASE_FIELDS: readonly string[] = ['metadata', 'status'];

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (!isRecord(a) || !isRecord(b) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** Whether the two records are equal but for the keys in `ignored`. */
function equalExcept(a: Record<string, unknown>, b: Record<string, unknown>, ignored: readonly string[]): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (ignored.includes(key)) continue;
    if (Object.hasOwn(a, key) !== Object.hasOwn(b, key) || !deepEqual(a[key], b[key])) return false;
  }
  return true;
}

/**
 * True for an UPDATE of an object that was already terminating (its stored copy, oldObject, has a
 * deletionTimestamp) that changes only what a controller changes to let it go.
 */
export function onlyReleasesTerminatingObject(request: AdmissionRequest): boolean {
  const { object, oldObject } = request;
  if (request.operation !== 'UPDATE' || !isRecord(object) || !isRecord(oldObject)) return false;
  const oldMetadata = oldObject.metadata;
  const metadata = object.metadata;
  if (!isRecord(oldMetadata) || !isRecord(metadata) || oldMetadata.deletionTimestamp === undefined || oldMetadata.deletionTimestamp === null) return false;
  return equalExcept(object, oldObject, RELEASE_FIELDS) && equalExcept(metadata, oldMetadata, RELEASE_METADATA_FIELDS);
}
