// The offline stand-in for the webhook's Namespace and NetworkPolicy caches, for network-isolation:
// the Namespaces of the input (their labels) and its network policies of every API (their models), each
// in the namespace it is applied to. Only those compact parts are kept, never the objects.
import type { NetworkContextSource } from '../admission/types.js';
import { KnownNetworkObjects } from '../rules/network-isolation/known-objects.js';
import type { KubeObject } from '../rules/types.js';

/** A context over `objects` as the API server would hold them (defaulted, each in its namespace). */
export function networkContextFromObjects(objects: Iterable<KubeObject>): NetworkContextSource {
  const known = new KnownNetworkObjects({ source: 'manifests', namespaces: 'some' });
  for (const object of objects) known.add(object);
  const context = known.context();
  return { source: 'manifests', namespaces: () => context.namespaces(), policies: (namespace) => context.policies(namespace) };
}
