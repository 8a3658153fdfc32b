// The subresources the webhooks are sent, beside the kinds the rules and mutations apply to. A request
// on a subresource carries the whole parent object, which the rules judge like the object itself.
export interface Subresource {
  group: string;
  version: string;
  /** `pods/ephemeralcontainers`. */
  resource: string;
  namespaced: boolean;
  /** A subresource is only ever updated. */
  operations: readonly string[];
  /** Which webhooks are sent it. */
  webhooks: readonly ('validate' | 'mutate')[];
}

export const JUDGED_SUBRESOURCES: readonly Subresource[] = [
  // `kubectl debug` adds ephemeral containers through this subresource: pod-security judges them (as
  // PSA does), and the securityContext defaults fill them in.
  { group: '', version: 'v1', resource: 'pods/ephemeralcontainers', namespaced: true, operations: ['UPDATE'], webhooks: ['validate', 'mutate'] },
];
