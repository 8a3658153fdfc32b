// Which pods a peer selects, as a predicate over three kinds of variables: the namespace's name
// (`name`), the namespace's labels (`ns/<key>`) and the pod's labels (`pod/<key>`). Every policy API
// writes its selectors into this one form (label selectors, Calico selector expressions, Cilium
// endpoint selectors), so one decision answers "does this union of peers select every pod".
//
// What Kubernetes guarantees, and what the decision relies on: every namespace carries the label
// `kubernetes.io/metadata.name` set to its own name (the API server sets it and refuses any other
// value, since 1.22: https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name),
// and that name is a DNS-1123 label. So `kubernetes.io/metadata.name Exists` matches every namespace,
// `DoesNotExist` none, and `NotIn [X]` every namespace when no namespace can be named X (`Foo_Bar`),
// but not when X is a valid name (`kube-system` exists; any valid name can be created). No label is
// guaranteed on pods.
//
// The decision is exact for equality, set and existence tests: a finite set of representative values
// per variable (the values a selector mentions, one value it does not mention, and "absent") meets
// every case the selectors can tell apart. A test it cannot decide (Calico's `contains`, an unknown
// operator) is "unknown", which never counts as selecting: a selector we cannot decide restricts.

export type Predicate =
  | { op: 'true' }
  | { op: 'false' }
  /** The variable is present (a label exists; the namespace name always is). `label`: the key written, for messages. */
  | { op: 'has'; variable: string; label?: string }
  /** The variable is present with one of these values. */
  | { op: 'in'; variable: string; values: readonly string[]; label?: string }
  | { op: 'not'; operand: Predicate }
  | { op: 'and'; operands: readonly Predicate[] }
  | { op: 'or'; operands: readonly Predicate[] }
  | { op: 'unknown' };

export const TRUE: Predicate = { op: 'true' };
export const FALSE: Predicate = { op: 'false' };
export const UNKNOWN: Predicate = { op: 'unknown' };
/** The namespace's name: always present, a DNS-1123 label. */
export const NAME = 'name';
/** The label every namespace carries, set to its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function and(...operands: Predicate[]): Predicate {
  const kept = operands.filter((operand) => operand.op !== 'true');
  if (kept.some((operand) => operand.op === 'false')) return FALSE;
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? (kept[0] as Predicate) : { op: 'and', operands: kept };
}

export function or(...operands: Predicate[]): Predicate {
  const kept = operands.filter((operand) => operand.op !== 'false');
  if (kept.some((operand) => operand.op === 'true')) return TRUE;
  if (kept.length === 0) return FALSE;
  return kept.length === 1 ? (kept[0] as Predicate) : { op: 'or', operands: kept };
}

export function not(operand: Predicate): Predicate {
  if (operand.op === 'true') return FALSE;
  if (operand.op === 'false') return TRUE;
  if (operand.op === 'not') return operand.operand;
  return { op: 'not', operand };
}

/** The pods of one namespace, by name. */
export function inNamespace(name: string): Predicate {
  return { op: 'in', variable: NAME, values: [name] };
}

/** Values of a variable in one assignment: a string, or undefined when the label is absent. */
export type Assignment = ReadonlyMap<string, string | undefined>;

/** Kleene's three-valued logic: true, false, or undefined when the predicate cannot be decided. */
export function evaluate(predicate: Predicate, assignment: Assignment): boolean | undefined {
  switch (predicate.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'unknown':
      return undefined;
    case 'has':
      return assignment.get(predicate.variable) !== undefined;
    case 'in': {
      const value = assignment.get(predicate.variable);
      return value !== undefined && predicate.values.includes(value);
    }
    case 'not': {
      const value = evaluate(predicate.operand, assignment);
      return value === undefined ? undefined : !value;
    }
    case 'and': {
      let result: boolean | undefined = true;
      for (const operand of predicate.operands) {
        const value = evaluate(operand, assignment);
        if (value === false) return false;
        if (value === undefined) result = undefined;
      }
      return result;
    }
    case 'or': {
      let result: boolean | undefined = false;
      for (const operand of predicate.operands) {
        const value = evaluate(operand, assignment);
        if (value === true) return true;
        if (value === undefined) result = undefined;
      }
      return result;
    }
  }
}

/** Every variable the predicate tests, with the values it compares it to. */
export function collect(predicate: Predicate, values: Map<string, Set<string>>): void {
  switch (predicate.op) {
    case 'has':
      if (!values.has(predicate.variable)) values.set(predicate.variable, new Set());
      return;
    case 'in': {
      const known = values.get(predicate.variable) ?? new Set<string>();
      for (const value of predicate.values) known.add(value);
      values.set(predicate.variable, known);
      return;
    }
    case 'not':
      collect(predicate.operand, values);
      return;
    case 'and':
    case 'or':
      for (const operand of predicate.operands) collect(operand, values);
      return;
    default:
      return;
  }
}

export function mentionsVariable(predicate: Predicate, variable: string): boolean {
  const values = new Map<string, Set<string>>();
  collect(predicate, values);
  return values.has(variable);
}

/** The label keys written for a variable (`kubernetes.io/metadata.name` for the name), for messages. */
export function labelsOf(predicate: Predicate, variable: string): string[] {
  switch (predicate.op) {
    case 'has':
    case 'in':
      return predicate.variable === variable && predicate.label !== undefined ? [predicate.label] : [];
    case 'not':
      return labelsOf(predicate.operand, variable);
    case 'and':
    case 'or':
      return predicate.operands.flatMap((operand) => labelsOf(operand, variable));
    default:
      return [];
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Whether some namespace can be named this (a DNS-1123 label). */
export function isNamespaceName(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A value not among `taken`, valid as a namespace name and as a label value. */
export function freshValue(taken: ReadonlySet<string>): string {
  for (let index = 0; ; index++) {
    const value = `policygate-other-${index}`;
    if (!taken.has(value)) return value;
  }
}

/**
 * Past this many evaluations (representative assignments × predicates) the union is not decided, and
 * so does not count as covering: the webhook judges every policy written, and a union of many selectors
 * on many labels must not stall it.
 */
export const MAX_EVALUATIONS = 20_000;

/**
 * Whether the union of the predicates selects every pod of every namespace: every assignment of the
 * representative values makes one of them true. Undecidable tests and unions too large to enumerate
 * answer false (restricting).
 */
export function selectsEveryPod(predicates: readonly Predicate[]): boolean {
  if (predicates.some((predicate) => predicate.op === 'true')) return true;
  if (predicates.length === 0) return false;
  const mentioned = new Map<string, Set<string>>();
  for (const predicate of predicates) collect(predicate, mentioned);
  const variables: string[] = [];
  const domains: (string | undefined)[][] = [];
  let count = 1;
  for (const [variable, values] of mentioned) {
    const isName = variable === NAME;
    const domain: (string | undefined)[] = [...values].filter(isName ? isNamespaceName : isLabelValue);
    domain.push(freshValue(values));
    if (!isName) domain.push(undefined);
    variables.push(variable);
    domains.push(domain);
    count *= domain.length;
    if (count * predicates.length > MAX_EVALUATIONS) return false;
  }
  const assignment = new Map<string, string | undefined>();
  for (let step = 0; step < count; step++) {
    let rest = step;
    for (const [index, variable] of variables.entries()) {
      const domain = domains[index] as (string | undefined)[];
      assignment.set(variable, domain[rest % domain.length]);
      rest = Math.floor(rest / domain.length);
    }
    if (!predicates.some((predicate) => evaluate(predicate, assignment) === true)) return false;
  }
  return true;
}
