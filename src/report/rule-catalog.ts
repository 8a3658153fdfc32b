// Every rule and check with what it does and the mode it runs in under a configuration (the embedded
// default unless told otherwise): what `policygate rules` lists, and how SARIF describes its rules.
import { checkMode } from '../rules/modes.js';
import { formatKind } from '../rules/kinds.js';
import { RULES } from '../rules/registry.js';
import { POD_SECURITY_CHECKS } from '../rules/pod-security/registry.js';
import { defaultPolicy, type PolicyMode } from '../rules/pod-security/policy.js';
import { weakerMode, type Mode, type PolicyConfig, type Rule } from '../rules/types.js';

export interface CatalogCheck {
  /** `rule/check`, the ID reports use. */
  id: string;
  rule: string;
  check: string;
  description: string;
  /** The mode it runs in: for pod-security, in a namespace without pod-security.kubernetes.io labels. */
  mode: Mode;
}

export interface CatalogRule {
  id: string;
  description: string;
  rationale: string;
  mode: Mode;
  appliesTo: string[];
  checks: CatalogCheck[];
}

const LEVEL_INCLUDES: Record<string, readonly string[]> = {
  privileged: [],
  baseline: ['baseline'],
  restricted: ['baseline', 'restricted'],
};
/** Strongest first: the mode a check shows is the strongest one whose level includes it. */
const POLICY_MODES: readonly PolicyMode[] = ['enforce', 'warn', 'audit'];

/** A Pod Security check's mode in a namespace that the configured defaults govern. */
function podSecurityCheckMode(config: PolicyConfig, checkId: string): Mode | undefined {
  const check = POD_SECURITY_CHECKS.find((candidate) => candidate.id === checkId);
  if (!check) return undefined;
  const ruleConfig = config.rules['pod-security'];
  const policy = defaultPolicy(ruleConfig.defaults);
  const mode = POLICY_MODES.find((policyMode) => LEVEL_INCLUDES[policy[policyMode].level]?.includes(check.level)) ?? 'off';
  const capped = weakerMode(mode, ruleConfig.mode);
  const configured = ruleConfig.checks[checkId];
  return configured === undefined ? capped : weakerMode(capped, configured);
}

function catalogRule(rule: Rule, config: PolicyConfig): CatalogRule {
  const ruleConfig = config.rules[rule.id];
  return {
    id: rule.id,
    description: rule.meta.description,
    rationale: rule.meta.rationale,
    mode: ruleConfig.mode,
    appliesTo: rule.meta.appliesTo.map(formatKind),
    checks: rule.meta.checks.map((check) => ({
      id: `${rule.id}/${check.id}`,
      rule: rule.id,
      check: check.id,
      description: check.description,
      mode: (rule.id === 'pod-security' ? podSecurityCheckMode(config, check.id) : undefined) ?? checkMode(ruleConfig, check),
    })),
  };
}

export function ruleCatalog(config: PolicyConfig, rules: readonly Rule[] = RULES): CatalogRule[] {
  return rules.map((rule) => catalogRule(rule, config));
}
