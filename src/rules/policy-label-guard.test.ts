import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { evaluateObject } from './evaluate.js';
import { policyLabelGuard, unauthorizedLabelChanges } from './policy-label-guard.js';
import type { KubeObject, RuleContext, UserInfo } from './types.js';

const namespace = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a', ...labels } } });
const config = testConfig({ rules: { 'policy-label-guard': { principals: { users: ['root-admin'], groups: ['platform'], serviceAccounts: ['argocd/argocd-application-controller'] } } } });
const alice: UserInfo = { username: 'alice', groups: ['developers', 'system:authenticated'] };

/** The context of an UPDATE from a namespace with `before` labels, made by `userInfo`. */
function update(before: Record<string, string>, userInfo: UserInfo): RuleContext {
  return { config, operation: 'UPDATE', oldObject: namespace(before), userInfo };
}

describe('policy-label-guard', () => {
  it.each([
    ['adds', {}, { 'pod-security.kubernetes.io/enforce': 'privileged' }, 'add', 'pod-security.kubernetes.io/enforce'],
    ['changes', { 'pod-security.kubernetes.io/enforce': 'restricted' }, { 'pod-security.kubernetes.io/enforce': 'baseline' }, 'change', 'pod-security.kubernetes.io/enforce'],
    ['removes', { 'pod-security.kubernetes.io/enforce': 'restricted' }, {}, 'remove', 'pod-security.kubernetes.io/enforce'],
    ['adds the mode label', {}, { 'policygate.dev/mode': 'audit' }, 'add', 'policygate.dev/mode'],
    ['adds a per-rule mode label', {}, { 'policygate.dev/mode.pod-security': 'warn' }, 'add', 'policygate.dev/mode.pod-security'],
  ])('refuses an unlisted user who %s a guarded label, saying who may', (_, before, after, verb, key) => {
    const findings = policyLabelGuard.evaluate(namespace(after), update(before, alice));
    expect(findings).toEqual([
      {
        rule: 'policy-label-guard',
        check: 'unauthorized-change',
        mode: 'enforce',
        path: `metadata.labels[${JSON.stringify(key)}]`,
        paths: [`metadata.labels[${JSON.stringify(key)}]`],
        message: `alice may not ${verb} label ${JSON.stringify(key)} on namespace "team-a": only users root-admin; groups platform; service accounts argocd/argocd-application-controller may; ask them, or have them add you under rules.policy-label-guard.principals`,
      },
    ]);
  });

  it.each([
    ['a listed user', { username: 'root-admin' }],
    ['a member of a listed group', { username: 'bob', groups: ['platform'] }],
    ['a listed service account', { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts'] }],
  ])('lets %s change guarded labels', (_, userInfo) => {
    expect(policyLabelGuard.evaluate(namespace({ 'policygate.dev/mode': 'audit' }), update({}, userInfo))).toEqual([]);
  });

  it('lets anyone change other labels, and re-apply guarded labels unchanged', () => {
    const labels = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    expect(policyLabelGuard.evaluate(namespace({ ...labels, owner: 'x' }), update(labels, alice))).toEqual([]);
  });

  it('guards labels given at creation too: a new namespace cannot start out privileged', () => {
    const findings = policyLabelGuard.evaluate(namespace({ 'pod-security.kubernetes.io/enforce': 'privileged' }), { config, operation: 'CREATE', userInfo: alice });
    expect(findings).toEqual([
      expect.objectContaining({
        check: 'unauthorized-change',
        mode: 'enforce',
        path: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
        message: expect.stringMatching(/^alice may not add label "pod-security.kubernetes.io\/enforce" on namespace "team-a": /),
      }),
    ]);
  });

  it('judges nothing offline, where no user makes the change (check, audit)', () => {
    expect(policyLabelGuard.evaluate(namespace({ 'pod-security.kubernetes.io/enforce': 'privileged' }), { config, operation: 'CREATE' })).toEqual([]);
  });

  it('names nobody when no principal is configured', () => {
    const closed = testConfig({ rules: { 'policy-label-guard': { principals: { users: [], groups: [], serviceAccounts: [] } } } });
    const [finding] = policyLabelGuard.evaluate(namespace({ 'policygate.dev/mode': 'warn' }), { config: closed, operation: 'CREATE', userInfo: alice });
    expect(finding?.message).toContain('only nobody (rules.policy-label-guard.principals is empty) may');
  });

  describe('with a cluster: RBAC decides for those the principals do not name', () => {
    const withAccess = (access: RuleContext['policyLabelAccess']): RuleContext => ({ ...update({}, alice), policyLabelAccess: access });
    const relabelled = namespace({ 'pod-security.kubernetes.io/enforce': 'privileged' });

    it('lets a user RBAC allows change guarded labels', () => {
      expect(policyLabelGuard.evaluate(relabelled, withAccess({ allowed: true }))).toEqual([]);
    });

    it('refuses a user RBAC does not allow, naming the permission and the ClusterRole that grants it, and the principals', () => {
      expect(policyLabelGuard.evaluate(relabelled, withAccess({ allowed: false })).map((finding) => finding.message)).toEqual([
        'alice may not add label "pod-security.kubernetes.io/enforce" on namespace "team-a": that takes the RBAC verb update-policy-labels on namespaces.policygate.dev ' +
          '(the ClusterRole policygate-policy-labels grants it) or being one of users root-admin; groups platform; service accounts argocd/argocd-application-controller (rules.policy-label-guard.principals)',
      ]);
      const closed = testConfig({ rules: { 'policy-label-guard': { principals: { users: [], groups: [], serviceAccounts: [] } } } });
      const [finding] = policyLabelGuard.evaluate(relabelled, { ...withAccess({ allowed: false }), config: closed });
      expect(finding?.message).toBe(
        'alice may not add label "pod-security.kubernetes.io/enforce" on namespace "team-a": that takes the RBAC verb update-policy-labels on namespaces.policygate.dev (the ClusterRole policygate-policy-labels grants it)',
      );
    });

    it('fails closed when the cluster could not be asked: a rule error, which refuses the request while the rule enforces', () => {
      const { findings, errors } = evaluateObject(relabelled, withAccess({ error: 'the SubjectAccessReview timed out after 3000 ms' }));
      expect(findings.filter((finding) => finding.rule === 'policy-label-guard')).toEqual([]);
      expect(errors).toEqual([
        {
          rule: 'policy-label-guard',
          mode: 'enforce',
          message: 'cannot tell whether alice may change the policy labels of namespace "team-a": the SubjectAccessReview timed out after 3000 ms',
        },
      ]);
    });

    it('needs no answer from the cluster for a principal, or for a request that changes no guarded label', () => {
      expect(unauthorizedLabelChanges(relabelled, update({}, { username: 'root-admin' }))).toEqual([]);
      expect(unauthorizedLabelChanges(namespace({ owner: 'x' }), update({}, alice))).toEqual([]);
      expect(unauthorizedLabelChanges(relabelled, update({}, alice))).toEqual(['pod-security.kubernetes.io/enforce']);
      // A principal passes even if the cluster says no (the principals are an allow-list on top of RBAC).
      expect(policyLabelGuard.evaluate(relabelled, { ...update({}, { username: 'root-admin' }), policyLabelAccess: { allowed: false } })).toEqual([]);
    });
  });

  it('is not lowered by the very label it guards', () => {
    const object = namespace({ 'policygate.dev/mode': 'audit' });
    const { findings } = evaluateObject(object, update({}, alice));
    expect(findings.filter((finding) => finding.rule === 'policy-label-guard').map((finding) => finding.mode)).toEqual(['enforce']);
  });
});
