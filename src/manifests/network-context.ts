// The offline stand-in for the webhook's Namespace and NetworkPolicy caches, for network-isolation:
// the Namespaces of the input (their labels) and its network policies of every API (their models), each
// in the namespace it is applied to. Only those compact parts are kept, never the objects. An input
// with no network policy at all answers "not known" for the policies of a namespace.
import type { NetworkContextSource } from '../admission/types.js';
import { KnownNetworkObjects } from '../rules/network-isolation/known-objects.js';
import type { KubeObject } from '../rules/types.js';

/**
 * The Namespaces and network policies of the input, kept as they are read, and the context over them:
 * what is added later is seen by every object judged after it. Only compact parts are kept.
 */
export class InputNetworkObjects {
  readonly #known = new KnownNetworkObjects({ source: 'manifests', namespaces: 'some' });
  readonly #context = this.#known.context();

  /** Keeps what the context needs of a Namespace or a network policy; anything else is passed over. */
  add(object: KubeObject): void {
    this.#known.add(object);
  }

  // An input without a single network policy says nothing about the network (an application's chart
  // with its Namespace; the policies live elsewhere): as with Namespaces, none present is no finding.
  readonly source: NetworkContextSource = {
    source: 'manifests',
    namespaces: () => this.#context.namespaces(),
    policies: (namespace) => (this.#known.policyCount > 0 ? this.#context.policies(namespace) : undefined),
  };
}

/** A context over `objects` as the API server would hold them (defaulted, each in its namespace). */
export function networkContextFromObjects(objects: Iterable<KubeObject>): NetworkContextSource {
  const known = new InputNetworkObjects();
  for (const object of objects) known.add(object);
  return known.source;
}
