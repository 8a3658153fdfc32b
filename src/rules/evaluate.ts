// The one entry point every edge calls: which rules apply to an object, what they find, and which
// JSON Patch operations the enabled mutations would make. A rule that throws does not take the others
// down with it; the error comes back with the rule's mode so the edge can decide (deny in enforce).
import { exceptFindings } from './exceptions/match.js';
import { isKind, matchesAny, NAMESPACE_KIND, namespaceOf } from './kinds.js';
import { isExemptNamespace } from './modes.js';
import { namespaceModeCap } from './namespace-mode.js';
import { MUTATIONS, RULES } from './registry.js';
import { weakerMode, type ActiveMode, type Finding, type KubeObject, type Mode, type Mutation, type PatchOperation, type Rule, type RuleContext } from './types.js';

export interface RuleError {
  rule: string;
  /** The rule's configured mode: an error in an enforcing rule must not let the object through. */
  mode: Mode;
  message: string;
}

export interface Evaluation {
  /** What the rules found and no exception excepts: what is enforced, warned about and audited. */
  findings: Finding[];
  /** What the rules found and a configured exception excepts (each names it): recorded, never enforced or warned about. */
  excepted: Finding[];
  errors: RuleError[];
  /** The rules that applied to this object's kind and ran (for logs and metrics). */
  rulesRun: string[];
}

export function applicableRules(object: KubeObject, rules: readonly Rule[] = RULES): Rule[] {
  return rules.filter((rule) => matchesAny(object, rule.meta.appliesTo));
}

/** Whether any rule looks at this object's kind (without building the list evaluateObject builds). */
export function hasApplicableRule(object: KubeObject, rules: readonly Rule[] = RULES): boolean {
  return rules.some((rule) => matchesAny(object, rule.meta.appliesTo));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The labels of the namespace an object is judged in: a Namespace's own, else its namespace's. */
function namespaceLabelsOf(object: KubeObject, context: RuleContext): Readonly<Record<string, string>> | undefined {
  if (isKind(object, NAMESPACE_KIND)) return object.metadata?.labels ?? undefined;
  return context.namespace?.labels;
}

/** A namespace's `policygate.dev/mode*` labels lower a rule's findings; the guard of those labels is exempt. */
function lowered(findings: Finding[], cap: ActiveMode | undefined): Finding[] {
  if (cap === undefined) return findings;
  return findings.map((finding) => {
    const mode = weakerMode(finding.mode, cap) as ActiveMode;
    return mode === finding.mode ? finding : { ...finding, mode };
  });
}

const UNLOWERED_RULES: ReadonlySet<string> = new Set(['policy-label-guard']);

/** Each finding into `findings` or, when an exception excepts it, `excepted`. */
function sort(findings: readonly Finding[], evaluation: Evaluation): void {
  for (const finding of findings) (finding.exception === undefined ? evaluation.findings : evaluation.excepted).push(finding);
}

export function evaluateObject(object: KubeObject, context: RuleContext, rules: readonly Rule[] = RULES): Evaluation {
  const evaluation: Evaluation = { findings: [], excepted: [], errors: [], rulesRun: [] };
  if (context.operation === 'DELETE') return evaluation;
  const namespace = namespaceOf(object, context);
  const namespaceLabels = namespaceLabelsOf(object, context);
  for (const rule of applicableRules(object, rules)) {
    const ruleConfig = context.config.rules[rule.id];
    if (ruleConfig.mode === 'off' || isExemptNamespace(ruleConfig, namespace)) continue;
    evaluation.rulesRun.push(rule.id);
    try {
      const raised = rule.evaluate(object, context);
      const findings = rule.appliesExceptions ? raised : exceptFindings(raised, object, context, rule.id);
      sort(UNLOWERED_RULES.has(rule.id) ? findings : lowered(findings, namespaceModeCap(namespaceLabels, rule.id)), evaluation);
    } catch (error) {
      evaluation.errors.push({ rule: rule.id, mode: ruleConfig.mode, message: errorMessage(error) });
    }
  }
  return evaluation;
}

export interface MutationResult {
  patch: PatchOperation[];
  /** IDs of the mutations that produced operations. */
  applied: string[];
  errors: RuleError[];
}

export function mutateObject(object: KubeObject, context: RuleContext, mutations: readonly Mutation[] = MUTATIONS): MutationResult {
  const result: MutationResult = { patch: [], applied: [], errors: [] };
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return result;
  for (const mutation of mutations) {
    if (!mutation.enabled(context.config) || !matchesAny(object, mutation.appliesTo)) continue;
    try {
      const operations = mutation.patch(object, context);
      if (operations.length === 0) continue;
      result.patch.push(...operations);
      result.applied.push(mutation.id);
    } catch (error) {
      // A mutation never blocks a request; the edge logs and counts this.
      result.errors.push({ rule: mutation.id, mode: 'audit', message: errorMessage(error) });
    }
  }
  return result;
}
