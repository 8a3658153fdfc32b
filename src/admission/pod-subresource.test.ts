// Every pod subresource but Pod Security Admission's ignored few is judged, so that one added in a
// later Kubernetes is no way around the checks; one that carries no Pod is refused, as PSA refuses it.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { KubeObject, PolicyConfig } from '../rules/types.js';
import { validateReview } from './decide.js';
import { NO_CLUSTER, type AdmissionReviewRequest } from './types.js';

const pod = (image: string, privileged = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: { containers: [{ name: 'app', image, ...(privileged ? { securityContext: { privileged: true } } : {}) }] },
});

function subresource(subResource: string, object: KubeObject, options: { oldObject?: KubeObject; operation?: 'CREATE' | 'UPDATE'; namespace?: string; username?: string } = {}): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u',
      kind: { group: '', version: 'v1', kind: object.kind ?? '' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      subResource,
      name: 'web',
      namespace: options.namespace ?? 'team-a',
      operation: options.operation ?? 'UPDATE',
      userInfo: { username: options.username ?? 'mallory' },
      object,
      ...(options.oldObject ? { oldObject: options.oldObject } : {}),
    },
  };
}

const judge = (review: AdmissionReviewRequest, config: PolicyConfig = testConfig()) => validateReview(review, { config, namespaces: NO_CLUSTER });

describe('pod subresources', () => {
  it('judges a subresource Kubernetes may add, as PSA does: a new privileged container there is refused', async () => {
    const decision = await judge(subresource('frobnicate', pod('evil', true), { oldObject: pod('nginx') }));
    expect(decision.review.response).toMatchObject({ allowed: false, status: { code: 403, message: expect.stringMatching(/^violates PodSecurity "baseline:latest": privileged/) } });
  });

  it('refuses, with a 400 that says why, a judged subresource whose object is not a Pod', async () => {
    const decision = await judge(subresource('frobnicate', { apiVersion: 'v1', kind: 'Frobnication' }, { operation: 'CREATE' }));
    expect(decision.review.response).toEqual({
      uid: 'u',
      allowed: false,
      status: {
        code: 400,
        reason: 'BadRequest',
        message:
          'pods/frobnicate carries a Frobnication, not a Pod: policygate judges every pod subresource except exec, attach, binding, eviction, log, portforward, proxy, status, as Pod Security Admission does, and cannot judge this one',
      },
    });
  });

  it.each([
    ['an exempt namespace', subresource('frobnicate', { apiVersion: 'v1', kind: 'Frobnication' }, { namespace: 'kube-system' }), testConfig()],
    ['an exempt user', subresource('frobnicate', { apiVersion: 'v1', kind: 'Frobnication' }, { username: 'ci' }), testConfig({ rules: { 'pod-security': { exemptions: { usernames: ['ci'] } } } })],
    ['pod-security only warning', subresource('frobnicate', { apiVersion: 'v1', kind: 'Frobnication' }), testConfig({ rules: { 'pod-security': { mode: 'warn' } } })],
    ['a binding (ignored, as PSA ignores it)', subresource('binding', { apiVersion: 'v1', kind: 'Binding' }, { operation: 'CREATE' }), testConfig()],
    ['a status update of a privileged pod (ignored)', subresource('status', pod('nginx', true), { oldObject: pod('nginx', true) }), testConfig()],
    ['a resize of a privileged pod (judged; not a significant change)', subresource('resize', pod('nginx', true), { oldObject: pod('nginx', true) }), testConfig()],
  ])('allows %s', async (_name, review, config) => {
    expect((await judge(review, config)).review.response.allowed).toBe(true);
  });
});
