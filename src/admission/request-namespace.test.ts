// The namespace a request is judged in is the request's (AdmissionRequest.namespace), never the
// object's metadata.namespace, which whoever sends the object writes: claiming an exempt namespace
// there must not exempt anything, nor change which namespace's labels apply.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { KubeObject } from '../rules/types.js';
import { mutateReview, validateReview } from './decide.js';
import { NO_CLUSTER, type AdmissionReviewRequest, type NamespaceLookup } from './types.js';

/** A privileged pod that claims kube-system, exempt from every rule by default. */
const CLAIMING_KUBE_SYSTEM: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'kube-system' },
  spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] },
};

function review(namespace: string | undefined): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      ...(namespace === undefined ? {} : { namespace }),
      operation: 'CREATE',
      userInfo: { username: 'mallory' },
      object: CLAIMING_KUBE_SYSTEM,
    },
  };
}

describe('the namespace of a request', () => {
  it.each([
    ['made in team-a, with no cluster to look it up in', 'team-a'],
    ['naming no namespace at all', undefined],
  ])('judges a pod %s, whatever namespace the pod claims', async (_name, namespace) => {
    const decision = await validateReview(review(namespace), { config: testConfig(), namespaces: NO_CLUSTER });
    expect(decision.review.response).toMatchObject({ allowed: false, status: { code: 403, message: expect.stringMatching(/^violates PodSecurity "baseline:latest": privileged/) } });
  });

  it("looks up the request's namespace only, and fails closed when that fails even if the pod claims an exempt one", async () => {
    const asked: string[] = [];
    const failing: NamespaceLookup = {
      get(name) {
        asked.push(name);
        throw new Error('the API server is unreachable');
      },
    };
    // kube-system exempt from the rule itself too: a failed lookup there would let the pod through.
    const config = testConfig({ rules: { 'pod-security': { exemptNamespaces: ['kube-system'] } } });
    const decision = await validateReview(review('team-a'), { config, namespaces: failing });
    expect(asked).toEqual(['team-a']);
    expect(decision.review.response).toMatchObject({ allowed: false, status: { code: 500, message: 'Internal error occurred: failed to look up namespace "team-a": the API server is unreachable' } });
  });

  it('fills in securityContext defaults for a pod that claims an exempt namespace', () => {
    const config = testConfig({ mutations: { podSecurityContextDefaults: true } });
    for (const namespace of ['team-a', undefined]) {
      expect(mutateReview(review(namespace), { config, namespaces: NO_CLUSTER }).patch, String(namespace)).not.toEqual([]);
    }
  });
});
