/*
 * hostPathVolumes (baseline, since v1.0)
 *
 * HostPath volumes must be forbidden.
 * Restricted fields: spec.volumes[*].hostPath
 * Allowed values: undefined, null
 * Versions: one variant, unchanged since v1.0. At the restricted level, restrictedVolumes overrides
 * this check from v1.0.
 */
import type { V1Volume } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { joinQuote, pluralize } from '../format.js';
import { isRecord } from '../../is-record.js';

function checkHostPathVolumes(pod: PodUnderReview): CheckResult {
  const volumes: unknown = pod.spec.volumes;
  if (!Array.isArray(volumes)) return ALLOWED;
  let names: string[] | undefined;
  let paths: string[] | undefined;
  for (let i = 0; i < volumes.length; i++) {
    const volume = volumes[i] as V1Volume | null | undefined;
    const hostPath: unknown = volume?.hostPath;
    if (!isRecord(hostPath)) continue;
    const name: unknown = volume?.name;
    (names ??= []).push(typeof name === 'string' ? name : '');
    (paths ??= []).push(`${pod.specPath}.volumes[${i}].hostPath`);
  }
  if (!names || !paths) return ALLOWED;
  return forbidden('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`, paths);
}

export const hostPathVolumes: PodSecurityCheck = {
  id: 'hostPathVolumes',
  level: 'baseline',
  fields: 'pod',
  description: 'Pods must not mount hostPath volumes.',
  versions: [{ minimumMinor: 0, checkPod: checkHostPathVolumes }],
};
