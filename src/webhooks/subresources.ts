// The subresources the webhooks are sent, beside the kinds the rules and mutations apply to. A request
// on a subresource carries the whole parent object, which the rules judge like the object itself.
export interface Subresource {
  group: string;
  version: string;
  /** `pods/ephemeralcontainers`, or `pods/*` for every subresource of pods. */
  resource: string;
  namespaced: boolean;
  /** Most subresources are only ever updated; some (a pod's binding, eviction) are created. */
  operations: readonly string[];
  /** Which webhooks are sent it. */
  webhooks: readonly ('validate' | 'mutate')[];
}

export const JUDGED_SUBRESOURCES: readonly Subresource[] = [
  // Both change a Namespace's labels like an UPDATE of the Namespace: their strategies reset only spec
  // (status) or status (finalize), never metadata. A label change there is judged as on the Namespace;
  // the validating webhook's match conditions keep back the updates that leave the labels alone.
  { group: '', version: 'v1', resource: 'namespaces/status', namespaced: false, operations: ['UPDATE'], webhooks: ['validate'] },
  { group: '', version: 'v1', resource: 'namespaces/finalize', namespaced: false, operations: ['UPDATE'], webhooks: ['validate'] },
  // Every pod subresource, as Pod Security Admission judges them: `kubectl debug` adds ephemeral
  // containers through one, `resize` changes resources, and one added in a later Kubernetes is judged
  // too instead of being a way around. PSA's ignored few (the kubelet's status updates, the scheduler's
  // bindings, evictions, exec...) are kept back by a match condition, so they never wait for policygate.
  { group: '', version: 'v1', resource: 'pods/*', namespaced: true, operations: ['CREATE', 'UPDATE'], webhooks: ['validate'] },
  // The securityContext defaults fill in the ephemeral containers `kubectl debug` adds.
  { group: '', version: 'v1', resource: 'pods/ephemeralcontainers', namespaced: true, operations: ['UPDATE'], webhooks: ['mutate'] },
];
