// The explicit list of rules and mutations. `test/registry.test.ts` checks it against the files.
import { namespaceLabelDefaults } from './mutations/namespace-label-defaults.js';
import { podSecurityContextDefaults } from './mutations/pod-security-context-defaults.js';
import { namespaceRequiredLabels } from './namespace-required-labels.js';
import { networkIsolation } from './network-isolation.js';
import { networkPolicyAllowAll } from './network-policy-allow-all.js';
import { podSecurity } from './pod-security.js';
import { policyLabelGuard } from './policy-label-guard.js';
import type { Mutation, Rule, RuleId } from './types.js';

export const RULES: readonly Rule[] = [namespaceRequiredLabels, networkIsolation, networkPolicyAllowAll, podSecurity, policyLabelGuard];

export const MUTATIONS: readonly Mutation[] = [namespaceLabelDefaults, podSecurityContextDefaults];

export function ruleById(id: RuleId): Rule {
  const rule = RULES.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`unknown rule ${id}`);
  return rule;
}
