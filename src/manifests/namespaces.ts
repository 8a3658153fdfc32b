// The offline stand-in for the webhook's namespace cache: the Namespaces found in the input supply the
// labels (Pod Security levels and versions) of the objects in them. A namespace the input does not
// define is "not known", and the rules fall back to the configured defaults, as the webhook does
// without a cluster.
import type { NamespaceLookup } from '../admission/types.js';
import { isRecord } from '../rules/is-record.js';
import { isKind, NAMESPACE_KIND } from '../rules/kinds.js';
import type { KubeObject, NamespaceInfo } from '../rules/types.js';


/** Label values as the API server would store them: strings (a manifest may hold `team: 42`). */
function stringLabels(labels: unknown): Record<string, string> {
  if (!isRecord(labels)) return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value !== null && value !== undefined) result[key] = String(value);
  return result;
}

/** What a Namespace object tells the rules about the objects in it; undefined for any other object. */
export function namespaceInfoOf(object: KubeObject): NamespaceInfo | undefined {
  const name = object.metadata?.name;
  if (!isKind(object, NAMESPACE_KIND) || typeof name !== 'string' || name === '') return undefined;
  return { name, labels: stringLabels(object.metadata?.labels) };
}

/** A lookup over the Namespaces among `objects`; a namespace defined twice takes its last definition, as `kubectl apply` would leave it. */
export function namespacesFromObjects(objects: Iterable<KubeObject>): NamespaceLookup {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const object of objects) {
    const info = namespaceInfoOf(object);
    if (info) namespaces.set(info.name, info);
  }
  return { get: (name) => namespaces.get(name) };
}
