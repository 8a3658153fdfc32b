// How a check's mode is decided. A rule's mode is the ceiling for the rule; `off` turns it off. A mode
// given for one check in the configuration overrides the rule's mode for that check (so one noisy check
// can be set to warn while the rule enforces, or one check enforced while the rule only warns); a
// check the configuration does not name runs at its default mode, capped by the rule's mode.
import { weakerMode, type ActiveMode, type CheckMeta, type Mode, type RuleConfigBase } from './types.js';

export function checkMode(ruleConfig: RuleConfigBase, check: Pick<CheckMeta, 'id' | 'defaultMode'>): Mode {
  if (ruleConfig.mode === 'off') return 'off';
  return ruleConfig.checks[check.id] ?? weakerMode(ruleConfig.mode, check.defaultMode);
}

/** {@link checkMode} for a rule raising a finding: the mode to raise it in, or undefined when the check is off. */
export function activeCheckMode(ruleConfig: RuleConfigBase, check: Pick<CheckMeta, 'id' | 'defaultMode'>): ActiveMode | undefined {
  const mode = checkMode(ruleConfig, check);
  return mode === 'off' ? undefined : mode;
}

export function isExemptNamespace(ruleConfig: RuleConfigBase, namespace: string | undefined): boolean {
  return namespace !== undefined && ruleConfig.exemptNamespaces.includes(namespace);
}
