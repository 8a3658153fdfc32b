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

type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';

interface Offenders {
  names: string[];
  paths: string[];
}

function scanContainers(
  containers: unknown,
  list: ContainerList,
  pod: PodUnderReview,
  found: Offenders | undefined,
): Offenders | undefined {
  if (!Array.isArray(containers)) return found;
  for (let i = 0; i < containers.length; i++) {
    const container = containers[i] as V1Container | null | undefined;
    if (container?.securityContext?.windowsOptions?.hostProcess !== true) continue;
    found ??= { names: [], paths: [] };
    const name: unknown = container.name;
    found.names.push(typeof name === 'string' ? name : '');
    found.paths.push(`${pod.specPath}.${list}[${i}].securityContext.windowsOptions.hostProcess`);
  }
  return found;
}

function checkWindowsHostProcess(pod: PodUnderReview): CheckResult {
  const spec = pod.spec;
  const podSets = spec.securityContext?.windowsOptions?.hostProcess === true;
  let containers = scanContainers(spec.initContainers, 'initContainers', pod, undefined);
  containers = scanContainers(spec.containers, 'containers', pod, containers);
  containers = scanContainers(spec.ephemeralContainers, 'ephemeralContainers', pod, containers);
  if (!podSets && !containers) return ALLOWED;
  const setters: string[] = [];
  const paths: string[] = [];
  if (podSets) {
    setters.push('pod');
    paths.push(`${pod.specPath}.securityContext.windowsOptions.hostProcess`);
  }
  if (containers) {
    setters.push(`${pluralize('container', 'containers', containers.names.length)} ${joinQuote(containers.names)}`);
    paths.push(...containers.paths);
  }
  return forbidden(
    'hostProcess',
    `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    paths,
  );
}

export const windowsHostProcess: PodSecurityCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  description: 'Windows pods and containers must not run as HostProcess containers.',
  versions: [{ minimumMinor: 0, checkPod: checkWindowsHostProcess }],
};
