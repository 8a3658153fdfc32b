// The audit's two answers per object: the mode as if every rule were enforced, and the mode today.
import { describe, expect, it } from 'vitest';
import { AuditEvaluator, AUDITED_RULES, CHANGE_RULES, asEnforced } from '../../src/audit/index.js';
import { DEFAULT_CONFIG, parseConfig } from '../../src/config/load.js';
import { RULES } from '../../src/rules/registry.js';
import type { KubeObject, NamespaceInfo } from '../../src/rules/types.js';

function config(yaml: string) {
  return parseConfig(yaml, 'test.yaml');
}

function namespaceObject(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** A pod that meets restricted, but for `securityContext` laid over its container's. */
function pod(securityContext: Record<string, unknown>, podSecurityContext: Record<string, unknown> = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }): KubeObject {
  const container = { name: 'app', image: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...securityContext } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: { securityContext: podSecurityContext, containers: [container] } };
}

const privileged = pod({ privileged: true });
const allowAll: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'open', namespace: 'team-a' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
};

const teamA = (labels: Record<string, string> = {}): NamespaceInfo => ({ name: 'team-a', labels: { team: 'a', ...labels } });

describe('asEnforced', () => {
  it('raises every rule and every check the webhook runs to enforce, and leaves the rest alone', () => {
    const enforced = asEnforced(config('rules:\n  network-policy-allow-all:\n    mode: off\n  pod-security:\n    checks: {privileged: warn}\n'));
    for (const rule of RULES) {
      expect(enforced.rules[rule.id].mode).toBe('enforce');
      for (const check of rule.meta.checks) if (check.judgedAtAdmission !== false) expect(enforced.rules[rule.id].checks[check.id]).toBe('enforce');
    }
    // Enforcing a check the webhook never runs would refuse nothing: it keeps its mode.
    expect(enforced.rules['network-isolation'].checks['namespace-without-default-deny']).toBe('audit');
    expect(asEnforced(config('rules:\n  network-isolation:\n    mode: off\n')).rules['network-isolation'].checks['namespace-without-default-deny']).toBe('off');
    expect(enforced.rules['pod-security'].defaults).toEqual(DEFAULT_CONFIG.rules['pod-security'].defaults);
    expect(enforced.rules['namespace-required-labels'].exemptNamespaces).toEqual(DEFAULT_CONFIG.rules['namespace-required-labels'].exemptNamespaces);
  });

  it('does not run the rules that judge a change rather than a state', () => {
    expect([...CHANGE_RULES]).toEqual(['policy-label-guard']);
    // A new rule must be placed: audited, or listed in CHANGE_RULES with the reason.
    expect(AUDITED_RULES.map((rule) => rule.id).sort()).toEqual(RULES.map((rule) => rule.id).filter((id) => !CHANGE_RULES.has(id)).sort());
    const labelled = namespaceObject('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(new AuditEvaluator(DEFAULT_CONFIG).evaluate(labelled, undefined).findings).toEqual([]);
  });
});

describe('AuditEvaluator', () => {
  const modes = (evaluator: AuditEvaluator, object: KubeObject, namespace?: NamespaceInfo) =>
    evaluator.evaluate(object, namespace).findings.map((finding) => `${finding.rule}/${finding.check} ${finding.mode}->${finding.enforcedMode}`);

  it.each([
    ['the default configuration', 'rules: {}\n', 'enforce'],
    ['the rule in warn', 'rules:\n  pod-security:\n    mode: warn\n', 'warn'],
    ['the rule in audit', 'rules:\n  pod-security:\n    mode: audit\n', 'audit'],
    ['the rule off', 'rules:\n  pod-security:\n    mode: off\n', 'off'],
    ['the check lowered', 'rules:\n  pod-security:\n    checks: {privileged: warn}\n', 'warn'],
    ['the check off', 'rules:\n  pod-security:\n    checks: {privileged: "off"}\n', 'off'],
  ])('a privileged pod under %s: now %s, enforce as if enforced', (_name, yaml, now) => {
    expect(modes(new AuditEvaluator(config(yaml)), privileged, teamA())).toEqual([`pod-security/privileged ${now}->enforce`]);
  });

  it("keeps the namespace's Pod Security levels: a restricted-only failure stays at the warn and audit levels", () => {
    const rootPod = pod({}, {});
    // Default labels: enforce baseline, warn and audit restricted.
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), rootPod, teamA())).toEqual(['pod-security/runAsNonRoot warn->warn', 'pod-security/seccompProfile_restricted warn->warn']);
    // Enforcing restricted: refused, once (the audit level repeating it adds nothing).
    const restricted = teamA({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), rootPod, restricted)).toEqual(['pod-security/runAsNonRoot enforce->enforce', 'pod-security/seccompProfile_restricted enforce->enforce']);
  });

  it("ignores a namespace's policygate.dev/mode labels as if enforced, and honours them for today's mode", () => {
    const lowered = teamA({ 'policygate.dev/mode': 'audit' });
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), privileged, lowered)).toEqual(['pod-security/privileged audit->enforce']);
    const ruleLowered = teamA({ 'policygate.dev/mode.network-policy-allow-all': 'warn' });
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), allowAll, ruleLowered)).toEqual(['network-policy-allow-all/allow-all-cluster-ingress warn->enforce']);
    // On a Namespace, its own labels lower it.
    const unlabelled = namespaceObject('team-b', { 'policygate.dev/mode': 'warn' });
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), unlabelled)).toEqual(['namespace-required-labels/missing-label warn->enforce']);
  });

  it('raises checks whose default is below enforce', () => {
    // allow-all-cluster-ingress defaults to warn.
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), allowAll, teamA())).toEqual(['network-policy-allow-all/allow-all-cluster-ingress warn->enforce']);
  });

  it('keeps exemptions', () => {
    const kubeSystem = namespaceObject('kube-system', {});
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), kubeSystem)).toEqual([]);
    const systemPod = { ...privileged, metadata: { name: 'proxy', namespace: 'kube-system' } };
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), systemPod, { name: 'kube-system', labels: {} })).toEqual([]);
  });

  it('carries the path, message and policy of the finding', () => {
    const [finding] = new AuditEvaluator(DEFAULT_CONFIG).evaluate(privileged, teamA()).findings;
    expect(finding).toMatchObject({
      rule: 'pod-security',
      check: 'privileged',
      path: 'spec.containers[0].securityContext.privileged',
      policy: 'baseline:latest',
      message: expect.stringContaining('privileged'),
    });
  });

  it('judges with the configured defaults when the namespace is not known', () => {
    expect(modes(new AuditEvaluator(DEFAULT_CONFIG), privileged, undefined)).toEqual(['pod-security/privileged enforce->enforce']);
  });
});
