// The API server's defaulting that a Pod Security verdict depends on, applied to raw manifests so that
// the offline checker judges what the webhook would see. Only one default matters today: a volume with
// no source becomes an emptyDir (PSA's restrictedVolumes fixture `restrictedvolumes0` relies on it).
import { isRecord } from '../is-record.js';
import type { KubeObject } from '../types.js';
import { podUnderReview } from './pod-spec.js';

/** A volume with nothing but (at most) a name: no source at all. */
function needsDefault(volume: unknown): boolean {
  return isRecord(volume) && Object.keys(volume).every((key) => key === 'name');
}

/** Returns the object with API-server defaults applied; the input is not modified (nor copied when nothing applies). */
export function applyAdmissionDefaults(object: KubeObject): KubeObject {
  const volumes: unknown = podUnderReview(object)?.spec.volumes;
  if (!Array.isArray(volumes) || !volumes.some(needsDefault)) return object;

  const copy = structuredClone(object);
  const copiedVolumes = podUnderReview(copy)?.spec.volumes ?? [];
  for (const volume of copiedVolumes) if (needsDefault(volume)) volume.emptyDir = {};
  return copy;
}
