// The offline checker's namespace cache: the Namespaces of the input supply the labels of the objects
// in them, wherever they appear. A first, cheap pass over the input collects them (the documents that
// mention `Namespace` are parsed, nothing else), so an object is judged with its Namespace's labels even
// when the Namespace comes later (a walk reads apps/ before namespaces.yaml; a stream that puts
// Namespaces last). Only each Namespace's name and labels are kept.
import type { NamespaceLookup } from '../admission/types.js';
import type { KubeObject, NamespaceInfo } from '../rules/types.js';
import { namespaceInfoOf } from './namespaces.js';

export class NamespaceRegistry {
  readonly #known = new Map<string, NamespaceInfo>();

  /** A Namespace found by the first pass, in the order read: the last definition wins, as after `kubectl apply`. */
  define(object: KubeObject): void {
    const info = namespaceInfoOf(object);
    if (info) this.#known.set(info.name, info);
  }

  /** The lookup /validate uses. */
  readonly lookup: NamespaceLookup = { get: (name) => this.#known.get(name) };
}
