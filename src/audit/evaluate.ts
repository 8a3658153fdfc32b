// The audit's question for one object: what would the webhook say if every rule were enforced, and what
// does it say today? Both answers come from the one engine, evaluateObject, called as the webhook calls
// it for a CREATE of the object as it is stored, with the labels of its namespace as the context:
//
// - "as if enforced": a copy of the configuration with every rule's mode and every check's mode at
//   enforce, and the namespace's `policygate.dev/mode*` labels (which only ever lower a mode during a
//   rollout) left out. The namespace's Pod Security labels still choose the level each PSA mode asks
//   for, so a pod-security finding at the namespace's warn or audit level stays warn or audit; the
//   configured exemptions still exempt. This mode is `enforcedMode`.
// - "now": the configuration and labels as they are. This mode is `mode`; `off` when today's
//   configuration raises nothing for the finding.
//
// A rule whose effective configuration is the same both ways is evaluated once.
import { evaluateObject, type RuleError } from '../rules/evaluate.js';
import { isKind, NAMESPACE_KIND } from '../rules/kinds.js';
import { checkMode } from '../rules/modes.js';
import { MODE_LABEL, RULE_MODE_LABEL_PREFIX } from '../rules/namespace-mode.js';
import { RULES } from '../rules/registry.js';
import { modeStrength, type ActiveMode, type ClusterContext, type Finding, type KubeObject, type Mode, type NamespaceInfo, type PolicyConfig, type Rule, type RuleContext, type RuleId } from '../rules/types.js';

/**
 * Rules that judge a change (who adds or removes a label), not the state of an object: a stored object
 * has no author and no previous version to compare with, so the audit does not run them.
 */
export const CHANGE_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['policy-label-guard']);

export const AUDITED_RULES: readonly Rule[] = RULES.filter((rule) => !CHANGE_RULES.has(rule.id));

/** One finding of the audit on one object. */
export interface AuditFinding {
  rule: string;
  check: string;
  /** The mode today; `off` when today's configuration raises nothing for it. */
  mode: Mode;
  /** The mode with every rule and check enforced (see the top of this file). */
  enforcedMode: ActiveMode;
  path: string;
  message: string;
  /** pod-security: the `level:version` that raised it. */
  policy?: string;
}

/** A finding a configured exception excepts: recorded by the audit (its exceptions section, PolicyReports' `skip`). */
export interface ExceptedAuditFinding {
  rule: string;
  check: string;
  exception: string;
  /** The mode it would have as if enforced, were it not excepted. */
  enforcedMode: ActiveMode;
  path: string;
  message: string;
  policy?: string;
}

export interface ObjectAudit {
  findings: AuditFinding[];
  excepted: ExceptedAuditFinding[];
  errors: RuleError[];
}


/** The configuration with every rule and every check raised to enforce. */
export function asEnforced(config: PolicyConfig): PolicyConfig {
  const enforced = structuredClone(config);
  for (const rule of RULES) {
    const ruleConfig = enforced.rules[rule.id];
    // A check the webhook never runs would refuse nothing enforced: it keeps the mode it has.
    const configured = config.rules[rule.id];
    ruleConfig.checks = Object.fromEntries(rule.meta.checks.map((check) => [check.id, check.judgedAtAdmission === false ? checkMode(configured, check) : ('enforce' as Mode)]));
    ruleConfig.mode = 'enforce';
  }
  return enforced;
}

function withoutModeKeys(config: PolicyConfig, id: RuleId): string {
  const { mode: _mode, checks: _checks, ...rest } = config.rules[id];
  return JSON.stringify(rest);
}

/** Whether a rule's findings are the same under both configurations: same mode, same mode for every check, same settings. */
function sameEffectiveConfig(rule: Rule, a: PolicyConfig, b: PolicyConfig): boolean {
  const ruleA = a.rules[rule.id];
  const ruleB = b.rules[rule.id];
  if (ruleA.mode !== ruleB.mode) return false;
  if (rule.meta.checks.some((check) => checkMode(ruleA, check) !== checkMode(ruleB, check))) return false;
  return withoutModeKeys(a, rule.id) === withoutModeKeys(b, rule.id);
}

function isModeLabel(key: string): boolean {
  return key === MODE_LABEL || key.startsWith(RULE_MODE_LABEL_PREFIX);
}

function hasModeLabels(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels !== undefined && Object.keys(labels).some(isModeLabel);
}

function withoutModeLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !isModeLabel(key)));
}

function findingKey(finding: { rule: string; check: string; path: string; message: string; policy?: string | undefined }): string {
  return `${finding.rule}\u0000${finding.check}\u0000${finding.policy ?? ''}\u0000${finding.path}\u0000${finding.message}`;
}

/** One excepted finding per exception, rule, check, field and message: the strongest as enforced. */
function exceptedOf(excepted: readonly Finding[]): ExceptedAuditFinding[] {
  if (excepted.length === 0) return [];
  const strongest = new Map<string, ExceptedAuditFinding>();
  for (const finding of excepted) {
    const audited: ExceptedAuditFinding = {
      rule: finding.rule,
      check: finding.check,
      exception: finding.exception ?? '',
      enforcedMode: finding.mode,
      path: finding.path,
      message: finding.message,
      ...(finding.policy !== undefined ? { policy: finding.policy } : {}),
    };
    const key = `${audited.exception}\u0000${finding.rule}\u0000${finding.check}\u0000${finding.path}\u0000${finding.message}`;
    const kept = strongest.get(key);
    if (!kept || modeStrength(audited.enforcedMode) > modeStrength(kept.enforcedMode)) strongest.set(key, audited);
  }
  return [...strongest.values()];
}

export class AuditEvaluator {
  private readonly enforced: PolicyConfig;
  /** Rules whose mode today differs from their mode enforced: evaluated a second time, as configured. */
  private readonly rulesToRecheck: readonly Rule[];

  /** `at`: the instant exceptions' expiry is judged at (ms since the epoch), one for the whole audit. */
  constructor(
    private readonly config: PolicyConfig,
    private readonly rules: readonly Rule[] = AUDITED_RULES,
    private readonly at: number = Date.now(),
  ) {
    this.enforced = asEnforced(config);
    this.rulesToRecheck = rules.filter((rule) => !sameEffectiveConfig(rule, config, this.enforced));
  }

  /**
   * Audits one object in its namespace (undefined: not known, the configured defaults apply). For a
   * Namespace the context is its own labels, as the webhook judges it. `cluster`: the namespaces and
   * policies around it (network-isolation), once every policy is listed.
   */
  evaluate(object: KubeObject, namespace: NamespaceInfo | undefined, cluster?: ClusterContext): ObjectAudit {
    const isNamespace = isKind(object, NAMESPACE_KIND);
    const context = isNamespace ? undefined : namespace;
    const labels = isNamespace ? (object.metadata?.labels ?? undefined) : context?.labels;
    const lowered = hasModeLabels(labels);

    // As if enforced: no mode labels.
    let enforcedObject = object;
    let enforcedNamespace = context;
    if (lowered && labels) {
      if (isNamespace) enforcedObject = { ...object, metadata: { ...object.metadata, labels: withoutModeLabels(labels) } };
      else if (context) enforcedNamespace = { name: context.name, labels: withoutModeLabels(labels) };
    }
    const around = cluster ? { cluster } : {};
    const enforcedContext: RuleContext = { config: this.enforced, operation: 'CREATE', namespace: enforcedNamespace, now: this.at, ...around };
    const asEnforcedRun = evaluateObject(enforcedObject, enforcedContext, this.rules);

    // Today: only the rules whose answer can differ (all of them where mode labels lower the namespace).
    const recheck = lowered ? this.rules : this.rulesToRecheck;
    const today = new Map<string, ActiveMode[]>();
    const rechecked = new Set<string>();
    if (recheck.length > 0 && asEnforcedRun.findings.length > 0) {
      for (const rule of recheck) rechecked.add(rule.id);
      const todayRun = evaluateObject(object, { config: this.config, operation: 'CREATE', namespace: context, now: this.at, ...around }, recheck);
      for (const finding of todayRun.findings) {
        const key = findingKey(finding);
        const modes = today.get(key);
        if (modes) modes.push(finding.mode);
        else today.set(key, [finding.mode]);
      }
    }

    // One finding per rule, check, field and message: the strongest as enforced (PSA's audit level
    // repeating its enforce level adds nothing to "what would enforcing break").
    const strongest = new Map<string, AuditFinding>();
    for (const finding of asEnforcedRun.findings) {
      // Findings come in the rule's order (PSA: enforce, warn, audit), so today's findings pair up in order.
      const mode: Mode = rechecked.has(finding.rule) ? (today.get(findingKey(finding))?.shift() ?? 'off') : finding.mode;
      const audited: AuditFinding = {
        rule: finding.rule,
        check: finding.check,
        mode,
        enforcedMode: finding.mode,
        path: finding.path,
        message: finding.message,
        ...(finding.policy !== undefined ? { policy: finding.policy } : {}),
      };
      const key = `${finding.rule}\u0000${finding.check}\u0000${finding.path}\u0000${finding.message}`;
      const kept = strongest.get(key);
      if (!kept || modeStrength(audited.enforcedMode) > modeStrength(kept.enforcedMode)) strongest.set(key, audited);
    }
    return { findings: [...strongest.values()], excepted: exceptedOf(asEnforcedRun.excepted), errors: asEnforcedRun.errors };
  }
}
