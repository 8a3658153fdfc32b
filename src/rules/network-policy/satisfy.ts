// Existence questions over the predicates of predicate.ts, in three values: can a selector match
// anything at all, given what is known of a namespace ("matches nothing"), and is there a pod that one
// predicate selects and none of some others do ("not covered")?
//
// The same representative values as selectsEveryPod decide it exactly for equality, set and existence
// tests: per free variable, the values the predicate mentions, one it does not, and "absent" for a
// label. The answer is `true` when some assignment surely makes the predicate true, `false` when every
// assignment surely makes it false, and `undefined` when a test cannot be decided (Calico's `contains`)
// or there are too many assignments to try: callers raise a finding only on a sure answer.
import { collect, evaluate, freshValue, isLabelValue, isNamespaceName, MAX_EVALUATIONS, NAME, type Assignment, type Predicate } from './predicate.js';

export interface SatisfyOptions {
  /** Values the variable cannot take, beside those fixed: `name` ∉ the namespaces already tried one by one. */
  excluded?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Whether some assignment of the variables not in `fixed` makes the predicate true. A variable in
 * `fixed` keeps its value (undefined: the label is absent).
 */
export function satisfiable(predicate: Predicate, fixed: Assignment = new Map(), options: SatisfyOptions = {}): boolean | undefined {
  const mentioned = new Map<string, Set<string>>();
  collect(predicate, mentioned);
  const variables: string[] = [];
  const domains: (string | undefined)[][] = [];
  let count = 1;
  for (const [variable, values] of mentioned) {
    if (fixed.has(variable)) continue;
    const isName = variable === NAME;
    const excluded = options.excluded?.get(variable);
    const domain: (string | undefined)[] = [...values].filter((value) => (isName ? isNamespaceName(value) : isLabelValue(value)) && !excluded?.has(value));
    domain.push(freshValue(new Set([...values, ...(excluded ?? [])])));
    if (!isName) domain.push(undefined);
    variables.push(variable);
    domains.push(domain);
    count *= domain.length;
    if (count > MAX_EVALUATIONS) return undefined;
  }
  const assignment = new Map(fixed);
  let result: boolean | undefined = false;
  for (let step = 0; step < count; step++) {
    let rest = step;
    for (const [index, variable] of variables.entries()) {
      const domain = domains[index] as (string | undefined)[];
      assignment.set(variable, domain[rest % domain.length]);
      rest = Math.floor(rest / domain.length);
    }
    const value = evaluate(predicate, assignment);
    if (value === true) return true;
    if (value === undefined) result = undefined;
  }
  return result;
}

/** The variables a pod in a namespace gives values to: the namespace's name and labels (`ns/`), and the pod's labels (`pod/`). */
export function podAssignment(namespace: string, namespaceLabels: Readonly<Record<string, string>> = {}, podLabels: Readonly<Record<string, string>> = {}): Map<string, string | undefined> {
  const assignment = new Map<string, string | undefined>([[NAME, namespace]]);
  for (const [key, value] of Object.entries(namespaceLabels)) assignment.set(`ns/${key}`, value);
  for (const [key, value] of Object.entries(podLabels)) assignment.set(`pod/${key}`, value);
  return assignment;
}

/**
 * A namespace as a fixed assignment for `predicate`: its name, and every namespace label the predicate
 * tests (absent where the namespace does not carry it). The pod's labels stay free.
 */
export function namespaceAssignment(predicate: Predicate, namespace: string, labels: Readonly<Record<string, string>>): Map<string, string | undefined> {
  const mentioned = new Map<string, Set<string>>();
  collect(predicate, mentioned);
  const assignment = new Map<string, string | undefined>([[NAME, namespace]]);
  for (const variable of mentioned.keys()) if (variable.startsWith('ns/')) assignment.set(variable, labels[variable.slice(3)]);
  return assignment;
}
