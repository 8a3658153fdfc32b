// The offline stand-in for the webhook's Namespace and NetworkPolicy caches, for network-isolation:
// the Namespaces of the input (their labels) and its network policies of every API (their models), each
// in the namespace it is applied to. Only those compact parts are kept, never the objects. An input
// with no network policy at all answers "not known" for the policies of a namespace.
import type { NetworkContextSource } from '../admission/types.js';
import { KnownNetworkObjects } from '../rules/network-isolation/known-objects.js';
import type { KubeObject } from '../rules/types.js';

/** A context over `objects` as the API server would hold them (defaulted, each in its namespace). */
export function networkContextFromObjects(objects: Iterable<KubeObject>): NetworkContextSource {
  const known = new KnownNetworkObjects({ source: 'manifests', namespaces: 'some' });
  for (const object of objects) known.add(object);
  const context = known.context();
  // An input without a single network policy says nothing about the network (an application's chart
  // with its Namespace; the policies live elsewhere): as with Namespaces, none present is no finding.
  const anyPolicy = known.policyCount > 0;
  return { source: 'manifests', namespaces: () => context.namespaces(), policies: (namespace) => (anyPolicy ? context.policies(namespace) : undefined) };
}
