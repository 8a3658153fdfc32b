// An object being deleted stays in force until its last finalizer goes: changing it is judged like any
// update, while the updates that only let it go pass without a look, so that a deletion never hangs.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { KubeObject } from '../rules/types.js';
import { validateReview } from './decide.js';
import { NO_CLUSTER, type AdmissionReviewRequest } from './types.js';

const DELETED = { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 };
const NARROW = [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }];

function policy(ingress: unknown[], metadata: Record<string, unknown> = {}, more: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    // As JSON carries it: the timestamp is a string.
    metadata: { name: 'narrow', namespace: 'team-a', resourceVersion: '7', finalizers: ['example.com/hold'], ...DELETED, ...metadata } as unknown as KubeObject['metadata'],
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress },
    ...more,
  };
}

function update(object: KubeObject, oldObject: KubeObject): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u',
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
      namespace: 'team-a',
      operation: 'UPDATE',
      userInfo: { username: 'mallory' },
      object,
      oldObject,
    },
  };
}

describe('updates to an object being deleted', () => {
  it('refuses widening a NetworkPolicy that a finalizer keeps in force', async () => {
    const decision = await validateReview(update(policy([{}]), policy(NARROW)), { config: testConfig(), namespaces: NO_CLUSTER });
    expect(decision.review.response).toMatchObject({ allowed: false, status: { code: 403, message: expect.stringContaining('ingress rule admits every source on every port') } });
  });

  it.each([
    ['its finalizer removed', policy([{}], { finalizers: [], resourceVersion: '8' })],
    ['its owner references dropped and its status reported', policy([{}], { ownerReferences: [] }, { status: { conditions: [{ type: 'Terminating' }] } })],
    ['what the API server keeps moved on', policy([{}], { resourceVersion: '9', generation: 3, managedFields: [{ manager: 'gc' }] })],
  ])('lets an open one go without a look: %s', async (_name, object) => {
    const oldObject = policy([{}], { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'x' }] });
    const decision = await validateReview(update(object, oldObject), { config: testConfig(), namespaces: NO_CLUSTER });
    expect(decision.review.response).toEqual({ uid: 'u', allowed: true });
    expect(decision.reason).toBe('an object being deleted: only its finalizers, owners or status changed');
  });

  it.each([
    ['a label', policy([{}], { labels: { tier: 'web' } })],
    ['an annotation', policy([{}], { annotations: { note: 'x' } })],
    ['a field added beside spec', policy([{}], {}, { extra: true })],
  ])('judges one that changes anything else: %s', async (_name, object) => {
    const decision = await validateReview(update(object, policy([{}])), { config: testConfig(), namespaces: NO_CLUSTER });
    expect(decision.review.response.allowed).toBe(false);
  });

  it('judges an update that sets a deletionTimestamp the stored object does not have', async () => {
    const { deletionTimestamp: _deleted, deletionGracePeriodSeconds: _grace, ...stored } = policy(NARROW).metadata as Record<string, unknown>;
    const decision = await validateReview(update(policy([{}]), { ...policy(NARROW), metadata: stored }), { config: testConfig(), namespaces: NO_CLUSTER });
    expect(decision.review.response.allowed).toBe(false);
  });
});
