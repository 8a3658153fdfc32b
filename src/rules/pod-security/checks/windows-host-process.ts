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
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { joinQuote, pluralize } from '../format.js';

interface Offenders {
  names: string[];
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  if (container.securityContext?.windowsOptions?.hostProcess !== true) return found;
  found ??= { names: [], paths: [] };
  found.names.push(containerName(container));
  found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.windowsOptions.hostProcess`);
  return found;
};

function checkWindowsHostProcess(pod: PodUnderReview): CheckResult {
  const spec = pod.spec;
  const podSets = spec.securityContext?.windowsOptions?.hostProcess === true;
  const containers = visitContainers(spec, visitContainer, pod);
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
  fields: 'pod and containers',
  description: 'Windows pods and containers must not run as HostProcess containers.',
  versions: [{ minimumMinor: 0, checkPod: checkWindowsHostProcess }],
};
