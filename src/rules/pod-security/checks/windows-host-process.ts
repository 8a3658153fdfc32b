/*
 * windowsHostProcess (baseline, since v1.0)
 *
 * Windows pods and containers must not run as HostProcess containers, which have privileged access
 * to the Windows host.
 * Restricted fields: spec.securityContext.windowsOptions.hostProcess,
 * spec.{initContainers,containers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess
 * Allowed values: false, undefined
 * Versions: one variant, unchanged since v1.0.
 */
import type { V1Container } from '@kubernetes/client-node';
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { joinQuote, pluralize } from '../format.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function checkWindowsHostProcess(pod: PodUnderReview): CheckResult {
  let paths: string[] | undefined;
  const podSets = pod.spec.securityContext?.windowsOptions?.hostProcess === true;
  if (podSets) paths = [`${pod.specPath}.securityContext.windowsOptions.hostProcess`];
  let names: string[] | undefined;
  for (const list of CONTAINER_LISTS) {
    const containers: unknown = pod.spec[list];
    if (!Array.isArray(containers)) continue;
    for (let i = 0; i < containers.length; i++) {
      const container = containers[i] as V1Container | null | undefined;
      if (container?.securityContext?.windowsOptions?.hostProcess !== true) continue;
      const name: unknown = container.name;
      (names ??= []).push(typeof name === 'string' ? name : '');
      (paths ??= []).push(`${pod.specPath}.${list}[${i}].securityContext.windowsOptions.hostProcess`);
    }
  }
  if (!paths) return ALLOWED;
  const containerSetters = names ? `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}` : '';
  const setters = podSets ? (names ? `pod and ${containerSetters}` : 'pod') : containerSetters;
  return forbidden('hostProcess', `${setters} must not set securityContext.windowsOptions.hostProcess=true`, paths);
}

export const windowsHostProcess: PodSecurityCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  description: 'Windows pods and containers must not run as HostProcess containers.',
  versions: [{ minimumMinor: 0, checkPod: checkWindowsHostProcess }],
};
