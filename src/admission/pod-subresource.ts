// A pod subresource that Pod Security Admission judges (every one but its ignored few) is expected to
// carry a Pod. When its object is something else, PSA refuses the request ("failed to decode pod",
// 400) rather than let a subresource it cannot read change a pod; policygate does the same wherever
// pod-security enforces and the request is not exempt. Which resource was called comes from the
// request (`resource`, `subResource`), never from the object, whose kind is the sender's to choose.
import { isKind } from '../rules/kinds.js';
import { isExemptNamespace } from '../rules/modes.js';
import { POD_KIND } from '../rules/pod-security/pod-spec.js';
import { IGNORED_POD_SUBRESOURCES } from '../rules/pod-security/subresources.js';
import type { PolicyConfig } from '../rules/types.js';
import type { AdmissionRequest } from './types.js';

/** Why the request must be refused unjudged, or undefined when it is not a pod subresource request without a Pod. */
export function podSubresourceWithoutPod(request: AdmissionRequest, config: PolicyConfig): string | undefined {
  const subResource = request.subResource ?? '';
  const { resource } = request;
  if (subResource === '' || resource?.group !== '' || resource.resource !== 'pods' || IGNORED_POD_SUBRESOURCES.has(subResource)) return undefined;
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return undefined;
  if (request.object && isKind(request.object, POD_KIND)) return undefined;
  const podSecurity = config.rules['pod-security'];
  const namespace = request.namespace || undefined;
  if (podSecurity.mode !== 'enforce' || isExemptNamespace(podSecurity, namespace)) return undefined;
  if (namespace !== undefined && podSecurity.exemptions.namespaces.includes(namespace)) return undefined;
  const username = request.userInfo?.username;
  if (username !== undefined && podSecurity.exemptions.usernames.includes(username)) return undefined;
  const kind = request.object?.kind ?? request.kind.kind;
  return (
    `pods/${subResource} carries a ${typeof kind === 'string' && kind !== '' ? kind : 'object without a kind'}, not a Pod: policygate judges every pod subresource ` +
    `except ${[...IGNORED_POD_SUBRESOURCES].join(', ')}, as Pod Security Admission does, and cannot judge this one`
  );
}
