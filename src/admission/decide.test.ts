// The decision layer answers exactly what the API server and the user see: the whole AdmissionReview
// response for each outcome (the server and `policygate review` only carry it).
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { KubeObject, PolicyConfig } from '../rules/types.js';
import { mutateReview, validateReview, type AdmissionDeps } from './decide.js';
import type { AdmissionReviewRequest, NamespaceLookup, PolicyLabelAuthorizer, PolicyLabelDecision } from './types.js';

const NO_NAMESPACES: NamespaceLookup = { get: () => undefined };

function review(object: KubeObject, extra: Partial<AdmissionReviewRequest['request']> = {}): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: '', version: 'v1', kind: object.kind ?? '' },
      operation: 'CREATE',
      namespace: object.metadata?.namespace,
      object,
      userInfo: { username: 'alice' },
      ...extra,
    },
  };
}

function deps(config: PolicyConfig = testConfig(), namespaces: NamespaceLookup = NO_NAMESPACES): AdmissionDeps {
  return { config, namespaces };
}

const pod = (securityContext?: object): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: { containers: [{ name: 'app', image: 'nginx', ...(securityContext ? { securityContext } : {}) }] },
});

const RESTRICTED_FAILURES =
  'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('validateReview', () => {
  it('denies a privileged pod with PSA\'s exact text, audits the restricted findings, and warns nothing on a denial', async () => {
    const decision = await validateReview(review(pod({ privileged: true })), deps());
    expect(decision.decision).toBe('denied');
    expect(decision.review).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'uid-1',
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: 'violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)' },
        auditAnnotations: {
          'policygate-pod-security': `would violate PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ${RESTRICTED_FAILURES}`,
        },
      },
    });
  });

  it('allows a bare pod at baseline, with PSA\'s one warning line for the restricted failures', async () => {
    const { review: answer, decision } = await validateReview(review(pod()), deps());
    expect(decision).toBe('allowed');
    expect(answer.response).toEqual({
      uid: 'uid-1',
      allowed: true,
      warnings: [`would violate PodSecurity "restricted:latest": ${RESTRICTED_FAILURES}`],
      auditAnnotations: { 'policygate-pod-security': `would violate PodSecurity "restricted:latest": ${RESTRICTED_FAILURES}` },
    });
  });

  it('denies a Namespace without a required label, naming the label', async () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: {} } };
    const { review: answer } = await validateReview(review(namespace), deps());
    expect(answer.response).toEqual({
      uid: 'uid-1',
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'metadata.labels["team"]: namespace "team-b" is missing required label "team"' },
    });
  });

  it('refuses a Namespace with invalid Pod Security labels, naming each label and its value', async () => {
    const labels = { team: 'payments', 'pod-security.kubernetes.io/enforce': 'restriced', 'pod-security.kubernetes.io/warn-version': 'v1.x' };
    const object: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } };
    const decision = await validateReview(review(object, { userInfo: { username: 'admin', groups: ['system:masters'] } }), deps());
    expect(decision.review.response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: [
        'metadata.labels["pod-security.kubernetes.io/enforce"]: namespace "shop" has Pod Security label "pod-security.kubernetes.io/enforce"="restriced"; expected one of privileged, baseline, restricted',
        'metadata.labels["pod-security.kubernetes.io/warn-version"]: namespace "shop" has Pod Security label "pod-security.kubernetes.io/warn-version"="v1.x"; expected "latest" or "v1.x"',
      ].join('\n'),
    });
    // In warn mode the same words come back as warnings, with no policy appended.
    const warned = await validateReview(review(object, { userInfo: { username: 'admin', groups: ['system:masters'] } }), deps(testConfig({ rules: { 'pod-security': { checks: { namespaceLabels: 'warn' } } } })));
    expect(warned.review.response).toMatchObject({ allowed: true, warnings: [expect.stringMatching(/"restriced"; expected one of privileged, baseline, restricted$/), expect.stringMatching(/"v1\.x"; expected "latest" or "v1\.x"$/)] });
  });

  it("judges pods by their namespace's labels", async () => {
    const restricted: NamespaceLookup = { get: (name) => ({ name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }) };
    const { review: answer } = await validateReview(review(pod()), deps(testConfig(), restricted));
    expect(answer.response.status).toEqual({ code: 403, reason: 'Forbidden', message: `violates PodSecurity "restricted:latest": ${RESTRICTED_FAILURES}` });
  });

  // The watch cache answers synchronously when it holds the namespace, and with a promise when it
  // reads the API server: a failure must read the same either way.
  const throwing = (): never => {
    throw new Error('the API server answered HTTP 503');
  };
  const rejecting = () => Promise.reject(new Error('the API server answered HTTP 503'));
  it.each([
    ['throws', throwing],
    ['rejects', rejecting],
  ])('fails closed with a 500 naming the namespace when its lookup %s and pod-security enforces', async (_, get) => {
    const broken: NamespaceLookup = { get };
    const decision = await validateReview(review(pod()), deps(testConfig(), broken));
    expect(decision.decision).toBe('error');
    expect(decision.review.response).toEqual({
      uid: 'uid-1',
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'Internal error occurred: failed to look up namespace "team-a": the API server answered HTTP 503' },
    });
  });

  it('judges a NetworkPolicy at full strength when its namespace cannot be looked up', async () => {
    const broken: NamespaceLookup = {
      get: () => {
        throw new Error('timeout');
      },
    };
    const openPolicy: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'team-a' },
      spec: { podSelector: {}, ingress: [{}] },
    };
    const answer = (await validateReview(review(openPolicy, { kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' } }), deps(testConfig(), broken))).review.response;
    expect(answer.allowed).toBe(false);
    expect(answer.status?.code).toBe(403);
    expect(answer.status?.message).toMatch(/^spec\.ingress\[0\]: /);
  });

  it('allows what no rule covers, and DELETE, without looking up anything', async () => {
    const lookups: string[] = [];
    const counting: NamespaceLookup = { get: (name) => void lookups.push(name) };
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' } };
    expect((await validateReview(review(configMap), deps(testConfig(), counting))).reason).toBe('no rule applies to ConfigMap');
    expect((await validateReview(review(pod({ privileged: true }), { operation: 'DELETE' }), deps(testConfig(), counting))).review.response).toEqual({ uid: 'uid-1', allowed: true });
    expect(lookups).toEqual([]);
  });
});

describe('validateReview: who may relax a namespace, asked of the cluster', () => {
  const relabel = (labels: Record<string, string>, username = 'alice'): AdmissionReviewRequest =>
    review(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a', ...labels } } },
      { operation: 'UPDATE', name: 'team-a', oldObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } }, userInfo: { username, groups: ['developers'] } },
    );

  /** An authorizer that records who it was asked about and answers `answer` (synchronously unless `later`). */
  function authorizer(answer: PolicyLabelDecision | Error, later = false): PolicyLabelAuthorizer & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      authorize(user, namespace) {
        asked.push(`${user.username}@${namespace}`);
        if (answer instanceof Error) {
          if (later) return Promise.reject(answer);
          throw answer;
        }
        return later ? Promise.resolve(answer) : answer;
      },
    };
  }

  it('allows a guarded label change RBAC allows; synchronously when the answer is at hand', () => {
    const policyLabels = authorizer({ allowed: true });
    const decision = validateReview(relabel({ 'pod-security.kubernetes.io/enforce': 'privileged' }), { ...deps(), policyLabels });
    expect(decision).not.toBeInstanceOf(Promise);
    expect((decision as Awaited<typeof decision>).review.response).toEqual({ uid: 'uid-1', allowed: true });
    expect(policyLabels.asked).toEqual(['alice@team-a']);
  });

  it('refuses one RBAC does not allow, with a 403 naming the permission', async () => {
    const decision = await validateReview(relabel({ 'policygate.dev/mode': 'audit' }), { ...deps(), policyLabels: authorizer({ allowed: false }, true) });
    expect(decision.decision).toBe('denied');
    expect(decision.review.response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: expect.stringContaining('alice may not add label "policygate.dev/mode" on namespace "team-a": that takes the RBAC verb update-policy-labels on namespaces.policygate.dev'),
    });
  });

  it.each([
    ['throws', false],
    ['rejects', true],
  ])('fails closed with a 500 when the authorizer %s (the review could not be made)', async (_, later) => {
    const decision = await validateReview(relabel({ 'pod-security.kubernetes.io/enforce': 'privileged' }), {
      ...deps(),
      policyLabels: authorizer(new Error('the SubjectAccessReview failed: the API server answered HTTP 403'), later),
    });
    expect(decision.decision).toBe('error');
    expect(decision.review.response).toEqual({
      uid: 'uid-1',
      allowed: false,
      status: {
        code: 500,
        reason: 'InternalError',
        message:
          'policygate: rule policy-label-guard could not be evaluated: cannot tell whether alice may change the policy labels of namespace "team-a": the SubjectAccessReview failed: the API server answered HTTP 403',
      },
    });
  });

  it('asks nothing when no guarded label changes, or a configured principal changes them', () => {
    const policyLabels = authorizer({ allowed: false });
    const config = testConfig({ rules: { 'policy-label-guard': { principals: { users: ['root-admin'], groups: [], serviceAccounts: [] } } } });
    expect((validateReview(relabel({ owner: 'x' }), { ...deps(config), policyLabels }) as Awaited<ReturnType<typeof validateReview>>).decision).toBe('allowed');
    expect((validateReview(relabel({ 'policygate.dev/mode': 'warn' }, 'root-admin'), { ...deps(config), policyLabels }) as Awaited<ReturnType<typeof validateReview>>).decision).toBe('allowed');
    expect(policyLabels.asked).toEqual([]);
  });
});

describe('mutateReview', () => {
  const config = testConfig({
    rules: { 'namespace-required-labels': { labels: [{ key: 'team' }, { key: 'environment', values: ['dev', 'prod'], default: 'dev' }] } },
  });

  it('answers a base64 JSON Patch that adds the missing default label', async () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { team: 'a' } } };
    const { review: answer } = await mutateReview(review(namespace), deps(config));
    expect(answer.response).toMatchObject({ uid: 'uid-1', allowed: true, patchType: 'JSONPatch' });
    expect(JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString())).toEqual([{ op: 'add', path: '/metadata/labels/environment', value: 'dev' }]);
  });

  it('answers no patch when nothing changes', async () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { team: 'a', environment: 'prod' } } };
    expect((await mutateReview(review(namespace), deps(config))).review.response).toEqual({ uid: 'uid-1', allowed: true });
  });
});
