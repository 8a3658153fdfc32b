/*
 * capabilities_baseline (baseline, since v1.0)
 *
 * Adding NET_RAW or any capability beyond the container runtime's default set must be disallowed.
 * Restricted fields: spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.add
 * Allowed values: undefined, empty, or values from the default set AUDIT_WRITE, CHOWN, DAC_OVERRIDE,
 * FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT
 * (exact, case-sensitive names: `chown` and `CAP_CHOWN` are not allowed).
 * Versions: one variant, unchanged since v1.0; hostUsers: false relaxes nothing here. At the
 * restricted level, capabilities_restricted overrides this check from v1.22.
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from '../containers.js';
import { goSorted, joinQuote, pluralize } from '../format.js';

const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

interface Offenders {
  names: string[];
  capabilities: Set<string>;
  paths: string[];
}

const visitContainer: ContainerVisitor<PodUnderReview, Offenders> = (container, list, index, pod, found) => {
  const add: unknown = container.securityContext?.capabilities?.add;
  if (!Array.isArray(add)) return found;
  let named = false;
  for (const capability of add) {
    if (typeof capability !== 'string' || DEFAULT_CAPABILITIES.has(capability)) continue;
    found ??= { names: [], capabilities: new Set(), paths: [] };
    found.capabilities.add(capability);
    if (named) continue;
    named = true;
    found.names.push(containerName(container));
    found.paths.push(`${containerPath(pod.specPath, list, index)}.securityContext.capabilities.add`);
  }
  return found;
};

function checkCapabilitiesBaseline(pod: PodUnderReview): CheckResult {
  const found = visitContainers(pod.spec, visitContainer, pod);
  if (!found) return ALLOWED;
  const { names, paths } = found;
  return forbidden(
    'non-default capabilities',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} must not include ` +
      `${joinQuote(goSorted(found.capabilities))} in securityContext.capabilities.add`,
    paths,
  );
}

export const capabilitiesBaseline: PodSecurityCheck = {
  id: 'capabilities_baseline',
  level: 'baseline',
  fields: 'containers',
  description: "Containers may add only capabilities from the runtime's default set (never NET_RAW).",
  versions: [{ minimumMinor: 0, checkPod: checkCapabilitiesBaseline }],
};
