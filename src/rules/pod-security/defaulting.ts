// The API server's defaulting that a Pod Security verdict depends on, applied to raw manifests so that
// the offline checker judges what the webhook would see. Only one default matters today: a volume with
// no source becomes an emptyDir (PSA's restrictedVolumes fixture `restrictedvolumes0` relies on it).
import type { KubeObject } from '../types.js';
import { podUnderReview } from './pod-spec.js';

const NON_SOURCE_VOLUME_FIELDS = new Set(['name']);

/** Returns the object with API-server defaults applied; the input is not modified. */
export function applyAdmissionDefaults(object: KubeObject): KubeObject {
  const pod = podUnderReview(object);
  const volumes = pod?.spec.volumes;
  if (!pod || !Array.isArray(volumes)) return object;
  const needsDefault = (volume: unknown) =>
    typeof volume === 'object' && volume !== null && Object.keys(volume).every((key) => NON_SOURCE_VOLUME_FIELDS.has(key));
  if (!volumes.some(needsDefault)) return object;

  const copy = structuredClone(object);
  const copiedVolumes = podUnderReview(copy)?.spec.volumes ?? [];
  for (const volume of copiedVolumes) if (needsDefault(volume)) volume.emptyDir = {};
  return copy;
}
