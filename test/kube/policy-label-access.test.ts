// RBAC's answer on who may change a namespace's guarded labels: SubjectAccessReviews against a fake API
// server on 127.0.0.1 — the review asked, allowed, denied, failures (which throw, so the rule fails
// closed), and the brief cache keyed on the whole identity.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../src/admission/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { kubeJsonClient, PolicyLabelAccessReviews } from '../../src/kube/index.js';
import type { UserInfo } from '../../src/rules/types.js';
import { buildApp } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { makeTestCertificates, namespaceObject, reviewOf, type TestCertificates } from '../server/helpers.js';
import { startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

let certs: TestCertificates;
let api: FakeApiServer;
beforeAll(async () => {
  certs = await makeTestCertificates();
  api = await startFakeApiServer(certs);
});
afterAll(async () => {
  await api.close();
  await certs.cleanup();
});
afterEach(() => {
  api.accessReviews.length = 0;
  api.calls.length = 0;
  api.accessReviewStatus = 0;
  api.accessReviewDelayMs = 0;
  api.authorize = (spec) => ({ allowed: (spec.groups ?? []).includes('system:masters') });
});

const argo: UserInfo = {
  username: 'system:serviceaccount:argocd:argocd-application-controller',
  uid: 'b0f1c3',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/pod-name': ['argocd-application-controller-0'] },
};

function reviews(options: { now?: () => number; ttlMs?: number; maxEntries?: number; timeoutMs?: number } = {}) {
  const counted: string[] = [];
  const access = new PolicyLabelAccessReviews({ client: kubeJsonClient(api.kubeConfig()), onReview: (source, result) => counted.push(`${source}:${result}`), ...options });
  return { access, counted };
}

describe('PolicyLabelAccessReviews', () => {
  it('asks about the whole identity, for the verb update-policy-labels on the namespace, and says yes when RBAC does', async () => {
    api.authorize = (spec) => ({ allowed: spec.user === argo.username && spec.resourceAttributes?.name === 'team-a', reason: 'RBAC: allowed by ClusterRoleBinding "argocd-policy-labels"' });
    const { access, counted } = reviews();
    expect(await access.authorize(argo, 'team-a')).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "argocd-policy-labels"' });
    expect(api.accessReviews).toEqual([
      {
        user: argo.username,
        uid: 'b0f1c3',
        groups: argo.groups,
        extra: argo.extra,
        resourceAttributes: { group: 'policygate.dev', resource: 'namespaces', verb: 'update-policy-labels', name: 'team-a', namespace: 'team-a' },
      },
    ]);
    expect(counted).toEqual(['api:allowed']);
  });

  it('says no when RBAC does, cluster-admin (system:masters) passing with no setup', async () => {
    const { access } = reviews();
    expect(await access.authorize({ username: 'alice', groups: ['developers', 'system:authenticated'] }, 'team-a')).toEqual({ allowed: false });
    expect(await access.authorize({ username: 'root', groups: ['system:masters'] }, 'team-a')).toEqual({ allowed: true });
  });

  it('treats "not allowed" as a denial even with an evaluation error, as the API server does', async () => {
    api.authorize = () => ({ allowed: false, evaluationError: 'clusterrole.rbac.authorization.k8s.io "gone" not found' });
    const { access } = reviews();
    expect(await access.authorize({ username: 'alice' }, 'team-a')).toEqual({ allowed: false, reason: 'clusterrole.rbac.authorization.k8s.io "gone" not found' });
  });

  it('answers from its cache for the same user and namespace, without a second review, until the answer expires', async () => {
    let now = 0;
    const { access, counted } = reviews({ now: () => now, ttlMs: 10_000 });
    const alice = { username: 'alice', groups: ['developers'] };
    expect(await access.authorize(alice, 'team-a')).toEqual({ allowed: false });
    now = 9_999;
    // Synchronous: a cached answer costs the request no wait at all.
    expect(access.authorize(alice, 'team-a')).toEqual({ allowed: false });
    expect(api.accessReviews).toHaveLength(1);
    expect(counted).toEqual(['api:denied', 'cache:denied']);
    now = 10_000;
    api.authorize = () => ({ allowed: true });
    expect(await access.authorize(alice, 'team-a')).toEqual({ allowed: true });
    expect(api.accessReviews).toHaveLength(2);
  });

  it('never shares an answer between identities that differ in anything, or between namespaces', async () => {
    // Allowed for exactly argo's identity in team-a: any other identity or namespace would have to be asked again.
    const exactly = JSON.stringify([argo.username, argo.uid, argo.groups, argo.extra, 'team-a']);
    api.authorize = (spec) => ({ allowed: JSON.stringify([spec.user, spec.uid, spec.groups, spec.extra, spec.resourceAttributes?.name]) === exactly });
    const { access } = reviews();
    expect(await access.authorize(argo, 'team-a')).toEqual({ allowed: true });
    expect(access.authorize(argo, 'team-a')).toEqual({ allowed: true });
    expect(await access.authorize(argo, 'team-b')).toEqual({ allowed: false });
    expect(await access.authorize({ ...argo, uid: 'other' }, 'team-a')).toEqual({ allowed: false });
    expect(await access.authorize({ ...argo, extra: { 'authentication.kubernetes.io/pod-name': ['intruder'] } }, 'team-a')).toEqual({ allowed: false });
    expect(await access.authorize({ ...argo, groups: [...(argo.groups ?? []), 'system:masters'] }, 'team-a')).toEqual({ allowed: false });
    expect(api.accessReviews).toHaveLength(5);
  });

  it('asks once for concurrent questions', async () => {
    api.accessReviewDelayMs = 50;
    const { access } = reviews();
    const answers = await Promise.all([1, 2, 3].map(() => access.authorize({ username: 'alice' }, 'team-a')));
    expect(answers).toEqual(Array(3).fill({ allowed: false }));
    expect(api.accessReviews).toHaveLength(1);
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const { access } = reviews({ maxEntries: 2 });
    await access.authorize({ username: 'a' }, 'ns');
    await access.authorize({ username: 'b' }, 'ns');
    access.authorize({ username: 'a' }, 'ns');
    await access.authorize({ username: 'c' }, 'ns');
    expect(access.size()).toBe(2);
    expect(api.accessReviews).toHaveLength(3);
    // `a` was used after `b`: `b` went.
    access.authorize({ username: 'a' }, 'ns');
    expect(api.accessReviews).toHaveLength(3);
    await access.authorize({ username: 'b' }, 'ns');
    expect(api.accessReviews).toHaveLength(4);
  });

  it('throws when the review cannot be made (forbidden, timed out), and does not cache the failure', async () => {
    const { access, counted } = reviews();
    api.accessReviewStatus = 403;
    await expect(access.authorize({ username: 'alice' }, 'team-a')).rejects.toThrow(
      'the SubjectAccessReview failed: the API server answered HTTP 403: subjectaccessreviews.authorization.k8s.io is forbidden',
    );
    api.accessReviewStatus = 0;
    expect(await access.authorize({ username: 'alice' }, 'team-a')).toEqual({ allowed: false });
    expect(counted).toEqual(['api:error', 'api:denied']);

    const impatient = reviews({ timeoutMs: 300 });
    api.accessReviewDelayMs = 3_000;
    await expect(impatient.access.authorize({ username: 'alice' }, 'team-a')).rejects.toThrow('the SubjectAccessReview timed out after 300 ms');
    expect(impatient.counted).toEqual(['api:error']);
  });

  it('allows no request that names no user, without asking', async () => {
    const { access } = reviews();
    expect(await access.authorize({}, 'team-a')).toEqual({ allowed: false, reason: 'the request names no user' });
    expect(api.accessReviews).toEqual([]);
  });
});

describe('POST /validate: a Namespace relabelled, judged with the cluster\'s RBAC', () => {
  async function validate(app: ReturnType<typeof buildApp>, userInfo: UserInfo) {
    const before = namespaceObject('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'restricted' });
    const after = namespaceObject('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'privileged' });
    const review = reviewOf(after, { operation: 'UPDATE', oldObject: before });
    review.request.userInfo = userInfo;
    const reply = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(review) });
    return (reply.json() as AdmissionReviewResponse).response;
  }

  it('lets a GitOps controller that holds the permission through, refuses a namespace editor, and fails closed when it cannot ask', async () => {
    // The default configuration: principals name only system:masters, so argo depends on RBAC.
    api.authorize = (spec) => ({ allowed: spec.user === argo.username });
    const metrics = createMetrics();
    const app = buildApp({
      config: DEFAULT_CONFIG,
      metrics,
      policyLabels: new PolicyLabelAccessReviews({ client: kubeJsonClient(api.kubeConfig()), onReview: (source, result) => metrics.recordPolicyLabelReview(source, result) }),
    });
    try {
      expect(await validate(app, argo)).toMatchObject({ allowed: true });
      expect(await validate(app, argo)).toMatchObject({ allowed: true });
      const alice = await validate(app, { username: 'alice', groups: ['team-a-admins', 'system:authenticated'] });
      expect(alice).toMatchObject({ allowed: false, status: { code: 403, reason: 'Forbidden' } });
      expect(alice.status?.message).toContain('alice may not change label "pod-security.kubernetes.io/enforce" on namespace "team-a": that takes the RBAC verb update-policy-labels');
      // A principal of the configuration is not asked about.
      expect(await validate(app, { username: 'root', groups: ['system:masters'] })).toMatchObject({ allowed: true });
      expect(api.accessReviews.map((spec) => spec.user)).toEqual([argo.username, 'alice']);

      api.accessReviewStatus = 403;
      const bob = await validate(app, { username: 'bob', groups: ['system:authenticated'] });
      expect(bob).toMatchObject({ allowed: false, status: { code: 500, reason: 'InternalError' } });
      expect(bob.status?.message).toContain('cannot tell whether bob may change the policy labels of namespace "team-a": the SubjectAccessReview failed: the API server answered HTTP 403');

      const text = await metrics.registry.metrics();
      expect(text).toContain('policygate_policy_label_reviews_total{source="api",result="allowed"} 1');
      expect(text).toContain('policygate_policy_label_reviews_total{source="cache",result="allowed"} 1');
      expect(text).toContain('policygate_policy_label_reviews_total{source="api",result="denied"} 1');
      expect(text).toContain('policygate_policy_label_reviews_total{source="api",result="error"} 1');
    } finally {
      await app.close();
    }
  });
});
