// Rule `namespace-required-labels`: every Namespace carries the labels the organisation runs on (who
// owns it, which environment it is, who pays for it), with values from the agreed set. Without them,
// alerts and costs land on nobody, and policies that select namespaces by label silently miss some.
//
// Check `missing-label`: each configured label is present and not blank.
// Check `invalid-value`: a label with `values` holds one of them (exact, case-sensitive); a label with
// `pattern` (RE2 syntax) matches it over the whole value (the pattern is anchored whether or not the
// user did).
// The same holds on UPDATE, so removing a required label is refused in enforce mode. Exempt namespaces
// are skipped by the evaluator before this rule runs.
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { isRecord } from './is-record.js';
import { isKind, NAMESPACE_KIND } from './kinds.js';
import { activeCheckMode } from './modes.js';
import { mapEntryPath } from './pod-security/format.js';
import type { Finding, KubeObject, RequiredLabel, Rule, RuleContext } from './types.js';

const RULE = 'namespace-required-labels';

const MISSING_LABEL = { id: 'missing-label', description: 'Each required label is present and not blank.', defaultMode: 'enforce' } as const;
const INVALID_VALUE = { id: 'invalid-value', description: 'A required label with allowed values or a pattern holds an allowed value.', defaultMode: 'enforce' } as const;

const compiledPatterns = new Map<string, RE2JS>();

/**
 * re2js, loaded the first time a pattern is compiled: the default configuration has none, and loading
 * it adds about 100 ms to every start (the server's, and each `policygate check` in CI).
 */
const requireModule = createRequire(import.meta.url);
let re2: typeof RE2JS | undefined;
function re2js(): typeof RE2JS {
  re2 ??= (requireModule('re2js') as typeof import('re2js')).RE2JS;
  return re2;
}

/**
 * The configured pattern, in RE2 syntax (Go's regexp, and Kubernetes CEL's `matches()`), as a
 * whole-value match: `[0-9]{4}` and `^[0-9]{4}$` both become `^(?:…)$`. The group keeps an alternation
 * (`dev|prod`) from escaping the anchors. RE2 matches in time linear in the value, whatever the
 * pattern: any namespace creator chooses the values, and a backtracking engine takes tens of seconds
 * on `([a-z0-9]+)+` against 30 characters. Compiled once per pattern, not per request. Throws
 * RE2JSSyntaxException on a pattern RE2 cannot compile (the configuration loader refuses those first,
 * with {@link labelPatternError}).
 */
export function labelValuePattern(pattern: string): RE2JS {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) compiledPatterns.set(pattern, (compiled = re2js().compile(`^(?:${pattern})$`)));
  return compiled;
}

/**
 * Why RE2 cannot compile the pattern, in its own words about the pattern as written (`missing closing
 * ]: \`[0-9\``); undefined when it compiles, anchored as the rule matches it.
 */
export function labelPatternError(pattern: string): string | undefined {
  try {
    // Alone first, so that the message quotes the user's pattern rather than the anchored one.
    re2js().compile(pattern);
    labelValuePattern(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
  }
}

/** What a label's value must be, for messages; undefined when any non-blank value will do. */
function expectation(label: RequiredLabel): string | undefined {
  if (label.values) return `one of ${label.values.map((value) => JSON.stringify(value)).join(', ')}`;
  if (label.pattern !== undefined) return `a value matching ${JSON.stringify(label.pattern)} (the whole value)`;
  return undefined;
}

function isAllowed(label: RequiredLabel, value: string): boolean {
  if (label.values && !label.values.includes(value)) return false;
  if (label.pattern !== undefined && !labelValuePattern(label.pattern).matches(value)) return false;
  return true;
}

function namespaceName(object: KubeObject): string {
  const { name, generateName } = object.metadata ?? {};
  if (typeof name === 'string' && name !== '') return JSON.stringify(name);
  if (typeof generateName === 'string' && generateName !== '') return `${JSON.stringify(generateName)} (generated name)`;
  return '(unnamed)';
}

/**
 * A label's value as a string, or undefined when absent. Manifests can hold numbers or booleans here.
 * Own keys only: `constructor` is a valid label key, and a plain object inherits one.
 */
function labelValue(labels: unknown, key: string): string | undefined {
  if (!isRecord(labels) || !Object.hasOwn(labels, key)) return undefined;
  const value = labels[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** Whether an UPDATE changes the labels, compared as label maps (absent = empty). */
function labelsChanged(object: KubeObject, oldObject: KubeObject | undefined): boolean {
  const after = isRecord(object.metadata?.labels) ? object.metadata.labels : {};
  const before = isRecord(oldObject?.metadata?.labels) ? oldObject.metadata.labels : {};
  const keys = Object.keys(after);
  return keys.length !== Object.keys(before).length || keys.some((key) => !Object.hasOwn(before, key) || before[key] !== after[key]);
}

function evaluateNamespace(object: KubeObject, context: RuleContext): Finding[] {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
  if (!isKind(object, NAMESPACE_KIND)) return [];
  // The status and finalize subresources change labels too (their strategies reset only spec and
  // status), and so can an update of a namespace being deleted: a change of labels there is judged
  // exactly as on the Namespace itself. Anything else they do is the namespace controller's work
  // and is let through, so that a namespace missing a label can still finish terminating.
  if ((context.subResource || object.metadata?.deletionTimestamp) && !labelsChanged(object, context.oldObject)) return [];

  const ruleConfig = context.config.rules[RULE];
  const findings: Finding[] = [];
  for (const label of ruleConfig.labels) {
    const value = labelValue(object.metadata?.labels, label.key);
    const blank = value === undefined || value.trim() === '';
    if (!blank && isAllowed(label, value)) continue;
    const check = blank ? MISSING_LABEL : INVALID_VALUE;
    const mode = activeCheckMode(ruleConfig, check);
    if (!mode) continue;
    // Messages are built for a failing label only: a valid namespace costs no string work.
    const namespace = namespaceName(object);
    const key = JSON.stringify(label.key);
    const expected = expectation(label);
    const hint = expected ? ` (expected ${expected})` : '';
    const message =
      value === undefined ? `namespace ${namespace} is missing required label ${key}${hint}`
      : blank ? `namespace ${namespace} has a blank value for required label ${key}${hint}`
      : `namespace ${namespace} has label ${key}=${JSON.stringify(value)}; expected ${expected ?? 'another value'}`;
    const path = mapEntryPath('metadata.labels', label.key);
    findings.push({ rule: RULE, check: check.id, mode, path, paths: [path], message });
  }
  return findings;
}

export const namespaceRequiredLabels: Rule<'namespace-required-labels'> = {
  id: RULE,
  meta: {
    description: 'Namespaces must carry the configured labels, with values from the allowed set or matching the pattern.',
    rationale:
      'Ownership, environment and cost labels are how alerts, bills and namespace-selecting policies find a namespace. ' +
      'A namespace without them belongs to nobody, and a typo in a value (`prod` vs `production`) splits reports and escapes selectors.',
    appliesTo: [NAMESPACE_KIND],
    checks: [MISSING_LABEL, INVALID_VALUE],
  },
  evaluate: evaluateNamespace,
};
