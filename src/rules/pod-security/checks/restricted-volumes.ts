/*
 * restrictedVolumes (restricted, since v1.0; replaces hostPathVolumes)
 *
 * Besides forbidding hostPath volumes, the restricted level limits inline volume sources to those
 * that do not reach outside the pod's own storage.
 * Restricted fields: spec.volumes[*] sources: hostPath, gcePersistentDisk, awsElasticBlockStore,
 * gitRepo, nfs, iscsi, glusterfs, rbd, flexVolume, cinder, cephfs, flocker, fc, azureFile,
 * vsphereVolume, quobyte, azureDisk, photonPersistentDisk, portworxVolume, scaleIO, storageos, and
 * any source PSA does not know (reported as type "unknown").
 * Allowed values: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim,
 * projected, secret
 * Versions: one variant since v1.0. PSA allowed `image` volumes (Kubernetes 1.33) by amending that
 * variant, so they pass at every policy version. A volume with no source at all is defaulted to
 * emptyDir by the API server before admission (raw manifests get that default from defaulting.ts), so
 * here it is reported as "unknown", as PSA would.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { goSorted, joinQuote, pluralize } from '../format.js';
import { isRecord } from '../../is-record.js';

const ALLOWED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** In PSA's order: a volume that somehow sets several is reported under the first. */
const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

const UNKNOWN_VOLUME_TYPE = 'unknown';

type Fields = Record<string, unknown>;

/** Go's `volume.X != nil`: the source is present as an object (null or a wrong type is absent). */
function hasSource(volume: Fields, source: string): boolean {
  return isRecord(volume[source]);
}

function hasAllowedSource(volume: Fields): boolean {
  // A volume has a name and usually one source: walking its keys beats probing all nine sources.
  for (const key in volume) if (ALLOWED_VOLUME_SOURCES.has(key) && hasSource(volume, key)) return true;
  return false;
}

function restrictedSourceOf(volume: Fields): string | undefined {
  for (const source of RESTRICTED_VOLUME_SOURCES) if (hasSource(volume, source)) return source;
  return undefined;
}

function checkRestrictedVolumes(pod: PodUnderReview): CheckResult {
  const volumes: unknown = pod.spec.volumes;
  if (!Array.isArray(volumes)) return ALLOWED;
  let names: string[] | undefined;
  let paths: string[] | undefined;
  let types: Set<string> | undefined;
  for (let i = 0; i < volumes.length; i++) {
    const fields: unknown = volumes[i];
    if (!isRecord(fields) || hasAllowedSource(fields)) continue;
    const source = restrictedSourceOf(fields);
    (names ??= []).push(typeof fields.name === 'string' ? fields.name : '');
    (paths ??= []).push(source ? `${pod.specPath}.volumes[${i}].${source}` : `${pod.specPath}.volumes[${i}]`);
    (types ??= new Set()).add(source ?? UNKNOWN_VOLUME_TYPE);
  }
  if (!names || !paths || !types) return ALLOWED;
  const sortedTypes = goSorted(types);
  return forbidden(
    'restricted volume types',
    `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ` +
      `${pluralize('restricted volume type', 'restricted volume types', sortedTypes.length)} ${joinQuote(sortedTypes)}`,
    paths,
  );
}

export const restrictedVolumes: PodSecurityCheck = {
  id: 'restrictedVolumes',
  level: 'restricted',
  fields: 'pod',
  description: 'Volumes must be configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret.',
  versions: [{ minimumMinor: 0, checkPod: checkRestrictedVolumes, overrideCheckIds: ['hostPathVolumes'] }],
};
