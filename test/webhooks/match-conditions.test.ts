// The validating webhook's rules and match conditions, evaluated as the API server evaluates them (CEL,
// ./webhook-match.ts) on the requests they are there for: what the rules judge is sent, what they never
// refuse (a pod's status and binding, a namespace controller's update, a finalizer removed from an
// object being deleted) stays at the API server, no condition errs (an error would apply failurePolicy:
// Fail to the request), and policygate decides each request the same whether or not it was sent.
import { describe, expect, it } from 'vitest';
import { NO_CLUSTER, validateReview } from '../../src/admission/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import type { KubeObject } from '../../src/rules/types.js';
import { webhookConfigurations } from '../../src/webhooks/configurations.js';
import { isSent, matchConditionErrors } from './webhook-match.js';

const [validatingConfiguration] = webhookConfigurations({ service: { namespace: 'policygate', name: 'policygate' } });
const validating = validatingConfiguration.webhooks[0];

const admin = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const alice = { username: 'alice', groups: ['system:authenticated'] };
const deleted = { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team-a' }, spec: { containers: [{ name: 'web', image: 'nginx', securityContext: { privileged: true } }] } };
const namespace = (labels: Record<string, string>, more: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a', ...labels }, ...more }, spec: { finalizers: ['kubernetes'] } });
const policy = (ingress: unknown[], more: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'narrow', namespace: 'team-a', resourceVersion: '7', finalizers: ['example.com/hold'], ...more },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress },
});
const narrow = [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }];

interface Case {
  name: string;
  resource: string;
  subResource?: string;
  operation?: 'CREATE' | 'UPDATE';
  object: unknown;
  oldObject?: unknown;
  user?: typeof admin;
  sent: boolean;
  allowed: boolean;
}

const cases: Case[] = [
  { name: 'a privileged pod', resource: 'pods', operation: 'CREATE', object: pod, sent: true, allowed: false },
  { name: 'its status, from the kubelet', resource: 'pods', subResource: 'status', object: pod, oldObject: pod, sent: false, allowed: true },
  { name: 'its binding, from the scheduler', resource: 'pods', subResource: 'binding', operation: 'CREATE', object: { apiVersion: 'v1', kind: 'Binding', target: { name: 'node-1' } }, sent: false, allowed: true },
  { name: 'its eviction', resource: 'pods', subResource: 'eviction', operation: 'CREATE', object: { apiVersion: 'policy/v1', kind: 'Eviction' }, sent: false, allowed: true },
  { name: 'a privileged ephemeral container', resource: 'pods', subResource: 'ephemeralcontainers', object: { ...pod, spec: { ...pod.spec, ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }] } }, oldObject: { ...pod, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, sent: true, allowed: false },
  { name: 'a resize', resource: 'pods', subResource: 'resize', object: pod, oldObject: pod, sent: true, allowed: true },
  { name: 'a pod subresource Kubernetes may add, carrying a Pod', resource: 'pods', subResource: 'frobnicate', object: { ...pod, spec: { ...pod.spec, containers: [{ name: 'web', image: 'evil', securityContext: { privileged: true } }] } }, oldObject: { ...pod, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, sent: true, allowed: false },
  { name: 'one carrying something else', resource: 'pods', subResource: 'frobnicate', object: { apiVersion: 'v1', kind: 'Frobnication' }, oldObject: pod, sent: true, allowed: false },
  { name: 'a namespace relabelled privileged through status', resource: 'namespaces', subResource: 'status', object: namespace({ 'pod-security.kubernetes.io/enforce': 'privileged' }), oldObject: namespace({}), user: alice, sent: true, allowed: false },
  { name: 'the same through finalize', resource: 'namespaces', subResource: 'finalize', object: namespace({ 'policygate.dev/mode': 'audit' }), oldObject: namespace({}), user: alice, sent: true, allowed: false },
  { name: 'an admin doing it through status', resource: 'namespaces', subResource: 'status', object: namespace({ 'pod-security.kubernetes.io/enforce': 'privileged' }), oldObject: namespace({}), user: admin, sent: true, allowed: true },
  { name: 'the namespace controller finalizing a terminating namespace without its labels', resource: 'namespaces', subResource: 'finalize', object: { ...namespace({}, deleted), metadata: { name: 'team-a', ...deleted }, spec: {} }, oldObject: { ...namespace({}, deleted), metadata: { name: 'team-a', ...deleted } }, sent: false, allowed: true },
  { name: 'its status while terminating', resource: 'namespaces', subResource: 'status', object: { ...namespace({}, deleted), status: { phase: 'Terminating' } }, oldObject: namespace({}, deleted), sent: false, allowed: true },
  { name: 'a narrow NetworkPolicy being deleted, widened to everything', resource: 'networkpolicies', object: policy([{}], deleted), oldObject: policy(narrow, deleted), sent: true, allowed: false },
  { name: 'relabelled while being deleted', resource: 'networkpolicies', object: policy([{}], { ...deleted, labels: { a: 'b' } }), oldObject: policy([{}], deleted), sent: true, allowed: false },
  { name: 'an open one being deleted, its finalizer removed', resource: 'networkpolicies', object: policy([{}], { ...deleted, finalizers: [], resourceVersion: '8' }), oldObject: policy([{}], deleted), sent: false, allowed: true },
  { name: 'its owner reference and status dropped by a controller', resource: 'networkpolicies', object: { ...policy([{}], deleted), status: { conditions: [] } }, oldObject: policy([{}], { ...deleted, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u' }] }), sent: false, allowed: true },
];

describe('the validating webhook, as the API server matches it', () => {
  it.each(cases)('$name: sent $sent, allowed $allowed, no condition errs', async ({ name, resource, subResource, operation = 'UPDATE', object, oldObject, user = alice, sent, allowed }) => {
    const group = resource === 'networkpolicies' ? 'networking.k8s.io' : '';
    const kind = (object as { kind: string }).kind;
    const request = {
      uid: name,
      kind: { group: kind === 'NetworkPolicy' ? 'networking.k8s.io' : kind === 'Eviction' ? 'policy' : '', version: 'v1', kind },
      resource: { group, version: 'v1', resource },
      ...(subResource ? { subResource } : {}),
      ...(resource === 'namespaces' ? { name: 'team-a', namespace: 'team-a' } : { namespace: 'team-a' }),
      operation,
      userInfo: user,
      object: object as KubeObject,
      oldObject: (oldObject ?? null) as KubeObject | null,
    };
    expect(matchConditionErrors(validating, request)).toEqual([]);
    expect(isSent(validating, request), 'sent').toBe(sent);
    const decision = await validateReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }, { config: DEFAULT_CONFIG, namespaces: NO_CLUSTER });
    expect(decision.review.response.allowed, `allowed (${decision.reason})`).toBe(allowed);
  });
});
