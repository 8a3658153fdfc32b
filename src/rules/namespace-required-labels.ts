// Rule `namespace-required-labels`: every Namespace carries the labels the organisation runs on (who
// owns it, which environment it is, who pays for it), with values from the agreed set. Without them,
// alerts and costs land on nobody, and policies that select namespaces by label silently miss some.
//
// Check `missing-label`: each configured label is present and not blank.
// Check `invalid-value`: a label with `values` holds one of them (exact, case-sensitive); a label with
// `pattern` matches it over the whole value (the pattern is anchored whether or not the user did).
// The same holds on UPDATE, so removing a required label is refused in enforce mode. Exempt namespaces
// are skipped by the evaluator before this rule runs.
import { isKind } from './kinds.js';
import { checkMode } from './modes.js';
import type { ActiveMode, Finding, KubeObject, RequiredLabel, Rule, RuleContext } from './types.js';

const RULE = 'namespace-required-labels';
export const NAMESPACE_KIND = { group: '', kind: 'Namespace' } as const;

const CHECKS = [
  { id: 'missing-label', description: 'Each required label is present and not blank.', defaultMode: 'enforce' },
  { id: 'invalid-value', description: 'A required label with allowed values or a pattern holds an allowed value.', defaultMode: 'enforce' },
] as const;
type CheckId = (typeof CHECKS)[number]['id'];

const compiledPatterns = new Map<string, RegExp>();

/**
 * The configured pattern as a whole-value match: `[0-9]{4}` and `^[0-9]{4}$` both become
 * `^(?:…)$`. The group keeps an alternation (`dev|prod`) from escaping the anchors. Throws
 * SyntaxError on an invalid pattern (the configuration loader refuses those first).
 */
export function labelValuePattern(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) compiledPatterns.set(pattern, (compiled = new RegExp(`^(?:${pattern})$`)));
  return compiled;
}

/** How a finding names a label: `metadata.labels["cost-center"]`. */
export function labelPath(key: string): string {
  return `metadata.labels[${JSON.stringify(key)}]`;
}

/** What a label's value must be, for messages; undefined when any non-blank value will do. */
function expectation(label: RequiredLabel): string | undefined {
  if (label.values) return `one of ${label.values.map((value) => JSON.stringify(value)).join(', ')}`;
  if (label.pattern !== undefined) return `a value matching ${JSON.stringify(label.pattern)} (the whole value)`;
  return undefined;
}

function isAllowed(label: RequiredLabel, value: string): boolean {
  if (label.values && !label.values.includes(value)) return false;
  if (label.pattern !== undefined && !labelValuePattern(label.pattern).test(value)) return false;
  return true;
}

function namespaceName(object: KubeObject): string {
  const { name, generateName } = object.metadata ?? {};
  if (typeof name === 'string' && name !== '') return JSON.stringify(name);
  if (typeof generateName === 'string' && generateName !== '') return `${JSON.stringify(generateName)} (generated name)`;
  return '(unnamed)';
}

/** A label's value as a string, or undefined when absent. Manifests can hold numbers or booleans here. */
function labelValue(labels: unknown, key: string): string | undefined {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return undefined;
  const value = (labels as Record<string, unknown>)[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

function evaluateNamespace(object: KubeObject, context: RuleContext): Finding[] {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
  // A subresource (status, finalize) cannot change labels, and a namespace being deleted must be
  // allowed to finish: refusing either would leave it stuck in Terminating.
  if (context.subResource || object.metadata?.deletionTimestamp) return [];
  if (!isKind(object, NAMESPACE_KIND)) return [];

  const ruleConfig = context.config.rules[RULE];
  const modes = new Map<CheckId, ActiveMode>();
  for (const check of CHECKS) {
    const mode = checkMode(ruleConfig, check);
    if (mode !== 'off') modes.set(check.id, mode);
  }
  const namespace = namespaceName(object);
  const findings: Finding[] = [];
  const report = (check: CheckId, key: string, message: string) => {
    const mode = modes.get(check);
    if (!mode) return;
    const path = labelPath(key);
    findings.push({ rule: RULE, check, mode, path, paths: [path], message });
  };

  for (const label of ruleConfig.labels) {
    const value = labelValue(object.metadata?.labels, label.key);
    const expected = expectation(label);
    const hint = expected ? ` (expected ${expected})` : '';
    if (value === undefined) {
      report('missing-label', label.key, `namespace ${namespace} is missing required label ${JSON.stringify(label.key)}${hint}`);
    } else if (value.trim() === '') {
      report('missing-label', label.key, `namespace ${namespace} has a blank value for required label ${JSON.stringify(label.key)}${hint}`);
    } else if (!isAllowed(label, value)) {
      report('invalid-value', label.key, `namespace ${namespace} has label ${JSON.stringify(label.key)}=${JSON.stringify(value)}; expected ${expected ?? 'another value'}`);
    }
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
    checks: CHECKS,
  },
  evaluate: evaluateNamespace,
};
