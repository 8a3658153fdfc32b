// Kubernetes label selectors (`matchLabels`, `matchExpressions`) as predicates, with their short text
// for messages. Used for NetworkPolicy, AdminNetworkPolicy and Cilium endpoint selectors; the caller
// says which variable a key reads (a namespace label, a pod label, the namespace's name).
import { isRecord } from '../is-record.js';
import { and, not, TRUE, UNKNOWN, type Predicate } from './predicate.js';

/** The variable a label key is read from, or undefined when the key cannot select pods (Cilium's `reserved:`). */
export type KeyMapping = (key: string) => string | undefined;

function requirement(label: string, variable: string | undefined, operator: unknown, values: unknown): Predicate {
  if (variable === undefined) return UNKNOWN;
  const list = Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
  switch (operator) {
    case 'In':
      return list.length > 0 ? { op: 'in', variable, values: list, label } : UNKNOWN;
    case 'NotIn':
      return list.length > 0 ? not({ op: 'in', variable, values: list, label }) : UNKNOWN;
    case 'Exists':
      return { op: 'has', variable, label };
    case 'DoesNotExist':
      return not({ op: 'has', variable, label });
    default:
      return UNKNOWN;
  }
}

/**
 * A label selector as a predicate. An empty selector (`{}`) selects everything; a value that is not a
 * selector at all is unknown. Absent (undefined or null) is the caller's to interpret.
 */
export function labelSelectorPredicate(selector: unknown, mapping: KeyMapping): Predicate {
  if (!isRecord(selector)) return UNKNOWN;
  const { matchLabels, matchExpressions } = selector;
  const parts: Predicate[] = [];
  if (isRecord(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) {
      const variable = mapping(key);
      parts.push(variable !== undefined && typeof value === 'string' ? { op: 'in', variable, values: [value], label: key } : UNKNOWN);
    }
  } else if (matchLabels !== undefined && matchLabels !== null) {
    return UNKNOWN;
  }
  if (Array.isArray(matchExpressions)) {
    for (const expression of matchExpressions) {
      if (!isRecord(expression) || typeof expression.key !== 'string') return UNKNOWN;
      parts.push(requirement(expression.key, mapping(expression.key), expression.operator, expression.values));
    }
  } else if (matchExpressions !== undefined && matchExpressions !== null) {
    return UNKNOWN;
  }
  return parts.length === 0 ? TRUE : and(...parts);
}

/** Whether a selector is empty: `{}`, or empty matchLabels and matchExpressions. */
export function isEmptySelector(selector: unknown): boolean {
  if (!isRecord(selector)) return false;
  const { matchLabels, matchExpressions } = selector;
  const noLabels = matchLabels === undefined || matchLabels === null || (isRecord(matchLabels) && Object.keys(matchLabels).length === 0);
  const noExpressions = matchExpressions === undefined || matchExpressions === null || (Array.isArray(matchExpressions) && matchExpressions.length === 0);
  return noLabels && noExpressions;
}

/** `{}`, or `{app=web, kubernetes.io/metadata.name Exists, team NotIn (a, b)}`: how messages show a selector. */
export function selectorText(selector: unknown): string {
  if (!isRecord(selector)) return JSON.stringify(selector) ?? String(selector);
  const parts: string[] = [];
  if (isRecord(selector.matchLabels)) for (const [key, value] of Object.entries(selector.matchLabels)) parts.push(`${key}=${String(value)}`);
  if (Array.isArray(selector.matchExpressions)) {
    for (const expression of selector.matchExpressions) {
      if (!isRecord(expression)) continue;
      const values = Array.isArray(expression.values) && expression.values.length > 0 ? ` (${expression.values.join(', ')})` : '';
      parts.push(`${String(expression.key)} ${String(expression.operator)}${values}`);
    }
  }
  return `{${parts.join(', ')}}`;
}
