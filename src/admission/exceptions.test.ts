// Exceptions as the API server and the user see them: the whole AdmissionReview response of a request
// whose findings an exception excepts, the reason logged and printed by `review`, the clock, and the
// warnings about existing pods when a namespace tightens its enforce level.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { ExceptionConfig, KubeObject } from '../rules/types.js';
import { validateReview } from './decide.js';
import type { AdmissionReviewRequest, NamespaceLookup, PodLister } from './types.js';

const NOW = Date.parse('2027-03-15T12:00:00Z');
const TEAM_A: NamespaceLookup = { get: (name) => (name === 'team-a' ? { name, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } : undefined) };

function review(object: KubeObject, extra: Partial<AdmissionReviewRequest['request']> = {}): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind: { group: '', version: 'v1', kind: object.kind ?? '' }, operation: 'CREATE', namespace: 'team-a', object, ...extra },
  };
}

function deps(exceptions: ExceptionConfig[], now = NOW) {
  return { config: testConfig({ exceptions }), namespaces: TEAM_A, now: () => now };
}

const agentPod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'agent', namespace: 'team-a' },
  spec: {
    containers: [
      { name: 'agent', image: 'registry.example.com/agent:5.0', securityContext: { privileged: true } },
      { name: 'sidecar', image: 'registry.example.com/shipper:1.0', securityContext: { privileged: true } },
    ],
  },
};

const WHOLE: ExceptionConfig = { name: 'privileged-agent', reason: 'OPS-1', match: { namespaces: ['team-a'], names: ['agent'] }, checks: ['pod-security/privileged'] };
const AGENT_ONLY: ExceptionConfig = { name: 'agent-privileged', reason: 'OPS-2', match: { containers: ['agent'] }, checks: ['pod-security/privileged'] };

describe('validateReview with exceptions', () => {
  it('allows what an exception excepts, and names the exception in the audit annotations', async () => {
    const decision = await validateReview(review(agentPod), deps([WHOLE]));
    expect(decision.decision).toBe('allowed');
    expect(decision.reason).toBe('allowed with 8 warn/audit finding(s) and 3 finding(s) excepted by privileged-agent');
    expect(decision.review.response.auditAnnotations?.['policygate-exceptions']).toBe('privileged-agent: pod-security/privileged');
    // The warnings PSA gives at restricted, without the excepted check.
    expect(decision.review.response.warnings?.some((warning) => warning.includes('privileged'))).toBe(false);
    // One line, as Pod Security Admission words it, for the four restricted checks that remain.
    expect(decision.review.response.warnings).toHaveLength(1);
    expect(decision.excepted.map((finding) => `${finding.mode} ${finding.policy} ${finding.check} ${finding.exception}`)).toEqual([
      'enforce baseline:latest privileged privileged-agent',
      'warn restricted:latest privileged privileged-agent',
      'audit restricted:latest privileged privileged-agent',
    ]);
  });

  it('refuses what remains of a narrowed check, in PSA\'s words over the containers that remain', async () => {
    const decision = await validateReview(review(agentPod), deps([AGENT_ONLY]));
    expect(decision.review.response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'violates PodSecurity "baseline:latest": privileged (container "sidecar" must not set securityContext.privileged=true)',
    });
    expect(decision.reason).toBe('denied by pod-security/privileged');
    expect(decision.review.response.auditAnnotations?.['policygate-exceptions']).toBe('agent-privileged: pod-security/privileged');
  });

  it('says so when exceptions are all there was', async () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } };
    const exception: ExceptionConfig = { name: 'legacy-team', reason: 'PLAT-1', match: { kinds: ['Namespace'], names: ['legacy'] }, checks: ['namespace-required-labels/*'] };
    const decision = await validateReview(review(namespace, { namespace: undefined }), deps([exception]));
    expect(decision.review.response).toEqual({ uid: 'uid-1', allowed: true, auditAnnotations: { 'policygate-exceptions': 'legacy-team: namespace-required-labels/missing-label' } });
    expect(decision.reason).toBe('allowed: 1 finding(s) excepted by legacy-team');
  });

  it('stops applying an exception at its expiry, by the clock it is given', async () => {
    const expiring = { ...WHOLE, expires: '2027-03-31' };
    expect((await validateReview(review(agentPod), deps([expiring], Date.parse('2027-03-31T23:59:59Z')))).decision).toBe('allowed');
    expect((await validateReview(review(agentPod), deps([expiring], Date.parse('2027-04-01T00:00:00Z')))).decision).toBe('denied');
  });

  it('leaves excepted pods out of the warnings when a namespace tightens its enforce level', async () => {
    const plain = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team-a' }, spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] } });
    const pods: PodLister = { list: () => Promise.resolve([plain('agent'), plain('web')]) };
    const namespace = (enforce: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a', 'pod-security.kubernetes.io/enforce': enforce } } });
    const update = review(namespace('baseline'), {
      kind: { group: '', version: 'v1', kind: 'Namespace' },
      operation: 'UPDATE',
      namespace: undefined,
      name: 'team-a',
      oldObject: namespace('privileged'),
      userInfo: { username: 'admin', groups: ['system:masters'] },
    });
    const without = await validateReview(update, { ...deps([]), pods });
    expect(without.review.response.warnings).toEqual([
      'existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"',
      'agent (and 1 other pod): privileged',
    ]);
    const withException = await validateReview(update, { ...deps([WHOLE]), pods });
    expect(withException.review.response.warnings).toEqual(['existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"', 'web: privileged']);
  });
});
