/*
 * hostNamespaces (baseline, since v1.0)
 *
 * Sharing the host's network, process or IPC namespace must be disallowed.
 * Restricted fields: spec.hostNetwork, spec.hostPID, spec.hostIPC
 * Allowed values: false, undefined
 * Versions: one variant, unchanged since v1.0. The detail lists `hostNetwork=true`, `hostPID=true`,
 * `hostIPC=true` in that fixed order (not sorted).
 */
import { ALLOWED, forbidden, type CheckResult, type PodSecurityCheck, type PodUnderReview } from '../check.js';

const NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

function checkHostNamespaces(pod: PodUnderReview): CheckResult {
  const spec = pod.spec;
  if (spec.hostNetwork !== true && spec.hostPID !== true && spec.hostIPC !== true) return ALLOWED;
  const fields = NAMESPACE_FIELDS.filter((field) => spec[field] === true);
  return forbidden(
    'host namespaces',
    fields.map((field) => `${field}=true`).join(', '),
    fields.map((field) => `${pod.specPath}.${field}`),
  );
}

export const hostNamespaces: PodSecurityCheck = {
  id: 'hostNamespaces',
  level: 'baseline',
  fields: 'pod',
  description: "Pods must not share the host's network, PID or IPC namespace.",
  versions: [{ minimumMinor: 0, checkPod: checkHostNamespaces }],
};
