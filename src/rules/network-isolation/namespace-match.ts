// Whether a pod selector can match a pod in some namespace the context knows: what both
// selector-matches-nothing and egress-blocks-dns ("a peer that can be a DNS server") ask.
import { collect, labelsOf, NAME, type Predicate } from '../network-policy/predicate.js';
import { satisfiable } from '../network-policy/satisfy.js';
import type { NamespaceInfo, NamespaceList } from '../types.js';

/** Whether a peer selects namespaces itself (rather than the policy's own namespace). */
export function readsNamespaces(match: Predicate): boolean {
  const mentioned = new Map<string, Set<string>>();
  collect(match, mentioned);
  return [...mentioned.keys()].some((variable) => variable.startsWith('ns/')) || labelsOf(match, NAME).length > 0;
}

/** Every namespace label the predicate tests, absent. */
function absentLabels(match: Predicate): Map<string, string | undefined> {
  const mentioned = new Map<string, Set<string>>();
  collect(match, mentioned);
  const fixed = new Map<string, string | undefined>();
  for (const variable of mentioned.keys()) if (variable.startsWith('ns/')) fixed.set(variable, undefined);
  return fixed;
}

function withNamespace(match: Predicate, namespace: NamespaceInfo): Map<string, string | undefined> {
  const fixed = absentLabels(match);
  for (const variable of fixed.keys()) fixed.set(variable, namespace.labels[variable.slice(3)]);
  fixed.set(NAME, namespace.name);
  return fixed;
}

/** false: surely no namespace has a pod the peer matches; true or undefined otherwise. */
export function matchesSomeNamespace(match: Predicate, namespaces: NamespaceList): boolean | undefined {
  let result: boolean | undefined = false;
  for (const namespace of namespaces.items) {
    const found = satisfiable(match, withNamespace(match, namespace));
    if (found === true) return true;
    if (found === undefined) result = undefined;
  }
  if (!namespaces.complete) {
    // A namespace not in the input: any other name, and no label known but its name.
    const known = new Set(namespaces.items.map((namespace) => namespace.name));
    const found = satisfiable(match, absentLabels(match), { excluded: new Map([[NAME, known]]) });
    if (found !== false) return found;
  }
  return result;
}
