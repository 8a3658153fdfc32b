// The offline checker's namespace cache when objects are judged as they are read. Namespaces in the
// input supply the labels of the objects in them, wherever they appear:
// - Files can be read twice: a first, cheap pass collects their Namespaces (the documents that mention
//   `Namespace` are parsed, nothing else), so an object is judged with its Namespace's labels even when
//   the Namespace comes later (a walk reads apps/ before namespaces.yaml).
// - Standard input is read once: a Namespace on it applies to what follows it. One that arrives after
//   objects in it were judged, with labels that would change their verdicts, is an input error naming
//   how many objects it concerns: re-judging them would mean holding the whole stream. helm template and
//   kubectl kustomize write Namespaces first.
// Only a compact record is kept per namespace: the labels its objects were judged with, a count and the
// first place.
import type { NamespaceLookup } from '../admission/types.js';
import { MODE_LABEL } from '../rules/namespace-mode.js';
import type { NamespaceInfo } from '../rules/types.js';
import type { CheckError } from '../report/types.js';
import { namespaceInfoOf } from './namespaces.js';
import type { KubeObject } from '../rules/types.js';

/** Namespace labels that can change the verdict on an object in the namespace. */
const VERDICT_LABEL_PREFIXES = ['pod-security.kubernetes.io/', `${MODE_LABEL}`];

/** The labels that decide verdicts, as one comparable string; a namespace not known counts as one without labels. */
function verdictKey(info: NamespaceInfo | undefined): string {
  if (!info) return '';
  const entries = Object.entries(info.labels).filter(([key]) => VERDICT_LABEL_PREFIXES.some((prefix) => key.startsWith(prefix)));
  return entries.length === 0 ? '' : JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface Definition {
  info: NamespaceInfo;
  /** The argument it came from: a later argument's definition wins, as `kubectl apply` would leave it. */
  input: number;
}

interface JudgedIn {
  key: string;
  count: number;
  file: string;
  line: number;
}

export class NamespaceRegistry {
  readonly #known = new Map<string, Definition>();
  readonly #judged = new Map<string, JudgedIn>();
  readonly #keys = new WeakMap<NamespaceInfo, string>();

  /** A Namespace found by the first pass over files, in the order read: the last definition wins. */
  define(object: KubeObject, input: number): void {
    const info = namespaceInfoOf(object);
    if (info) this.#known.set(info.name, { info, input });
  }

  /** The lookup /validate uses. */
  readonly lookup: NamespaceLookup = { get: (name) => this.#known.get(name)?.info };

  /** Records that an object in `namespace` was judged with what the lookup knew then. */
  judged(namespace: string, file: string, line: number): void {
    const seen = this.#judged.get(namespace);
    if (seen) {
      seen.count++;
      return;
    }
    this.#judged.set(namespace, { key: this.#keyOf(this.#known.get(namespace)?.info), count: 1, file, line });
  }

  /**
   * A Namespace met on standard input (argument `input`), after /mutate: it applies from here on, unless
   * a later argument (a file, read in the first pass) defines the namespace too. An error when objects
   * in it were judged already with labels that would give other verdicts.
   */
  defineFromStream(object: KubeObject, input: number, at: { file: string; line: number; column: number }): CheckError | undefined {
    const info = namespaceInfoOf(object);
    if (!info) return undefined;
    const current = this.#known.get(info.name);
    if (current && current.input > input) return undefined;
    this.#known.set(info.name, { info, input });
    const judged = this.#judged.get(info.name);
    if (!judged || judged.key === this.#keyOf(info)) return undefined;
    const objects = judged.count === 1 ? '1 object' : `${judged.count} objects`;
    return {
      ...at,
      message:
        `Namespace "${info.name}" comes after ${objects} in it (the first at ${judged.file}:${judged.line}), which ${judged.count === 1 ? 'was' : 'were'} judged ` +
        'without its labels: standard input is read once, so put Namespaces first (helm template and kubectl kustomize do), or pass the files',
    };
  }

  #keyOf(info: NamespaceInfo | undefined): string {
    if (!info) return '';
    let key = this.#keys.get(info);
    if (key === undefined) {
      key = verdictKey(info);
      this.#keys.set(info, key);
    }
    return key;
  }
}
