import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { mutateObject } from '../evaluate.js';
import { applyJsonPatch } from '../json-patch-apply.js';
import { evaluatePod } from '../pod-security/evaluate.js';
import { LATEST } from '../pod-security/level-version.js';
import { podUnderReview } from '../pod-security/pod-spec.js';
import type { KubeObject, PatchOperation, RuleContext } from '../types.js';
import { podSecurityContextDefaults } from './pod-security-context-defaults.js';

const CONTEXT: RuleContext = { config: testConfig({ mutations: { podSecurityContextDefaults: true } }), operation: 'CREATE' };
const CONTAINER_DEFAULTS = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const POD_DEFAULTS = { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true };

function pod(spec: unknown): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec };
}

/** The check IDs the restricted level still fails on this object. */
function restrictedFailures(object: KubeObject): string[] {
  const underReview = podUnderReview(object);
  if (!underReview) throw new Error('no pod in this object');
  return evaluatePod({ level: 'restricted', version: LATEST }, underReview).map((failure) => failure.check);
}

/** Patches, checks the patch applies and that a second pass has nothing to add; returns the patched object. */
function mutate(object: KubeObject, context: RuleContext = CONTEXT): { patch: PatchOperation[]; patched: KubeObject } {
  const patch = podSecurityContextDefaults.patch(object, context);
  const patched = applyJsonPatch(object, patch);
  expect(podSecurityContextDefaults.patch(patched, context)).toEqual([]);
  return { patch, patched };
}

describe('pod-security-context-defaults', () => {
  it('makes a plain Pod pass restricted, with the exact patch', () => {
    const object = pod({ containers: [{ name: 'app', image: 'nginx' }] });
    expect(restrictedFailures(object)).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);
    const { patch, patched } = mutate(object);
    expect(patch).toEqual([
      { op: 'add', path: '/spec/securityContext', value: POD_DEFAULTS },
      { op: 'add', path: '/spec/containers/0/securityContext', value: CONTAINER_DEFAULTS },
    ]);
    expect(restrictedFailures(patched)).toEqual([]);
  });

  it('covers init, regular and ephemeral containers', () => {
    const object = pod({
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'nginx' }, { name: 'sidecar', image: 'envoy' }],
      ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
    });
    const { patch, patched } = mutate(object);
    expect(patch.map((operation) => operation.path)).toEqual([
      '/spec/securityContext',
      '/spec/initContainers/0/securityContext',
      '/spec/containers/0/securityContext',
      '/spec/containers/1/securityContext',
      '/spec/ephemeralContainers/0/securityContext',
    ]);
    expect(restrictedFailures(patched)).toEqual([]);
  });

  it.each([
    { kind: 'Deployment', apiVersion: 'apps/v1', wrap: (spec: unknown) => ({ spec: { template: { spec } } }), prefix: '/spec/template/spec' },
    { kind: 'StatefulSet', apiVersion: 'apps/v1', wrap: (spec: unknown) => ({ spec: { template: { spec } } }), prefix: '/spec/template/spec' },
    { kind: 'Job', apiVersion: 'batch/v1', wrap: (spec: unknown) => ({ spec: { template: { spec } } }), prefix: '/spec/template/spec' },
    {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      wrap: (spec: unknown) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } }),
      prefix: '/spec/jobTemplate/spec/template/spec',
    },
    { kind: 'PodTemplate', apiVersion: 'v1', wrap: (spec: unknown) => ({ template: { spec } }), prefix: '/template/spec' },
  ])('patches the pod template of a $kind where it sits', ({ kind, apiVersion, wrap, prefix }) => {
    const object = { apiVersion, kind, metadata: { name: 'web' }, ...wrap({ containers: [{ name: 'app', image: 'nginx' }] }) };
    const { patch, patched } = mutate(object);
    expect(patch).toEqual([
      { op: 'add', path: `${prefix}/securityContext`, value: POD_DEFAULTS },
      { op: 'add', path: `${prefix}/containers/0/securityContext`, value: CONTAINER_DEFAULTS },
    ]);
    expect(restrictedFailures(patched)).toEqual([]);
    // On UPDATE too: a template is not immutable.
    expect(podSecurityContextDefaults.patch(object, { ...CONTEXT, operation: 'UPDATE' })).toEqual(patch);
  });

  it('fills only the unset fields of a partial securityContext, adding parents where missing', () => {
    const object = pod({
      securityContext: { runAsUser: 1000 },
      containers: [
        { name: 'a', securityContext: { readOnlyRootFilesystem: true } },
        { name: 'b', securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'] } } },
        { name: 'c', securityContext: { capabilities: { drop: [] } } },
      ],
    });
    const { patch, patched } = mutate(object);
    expect(patch).toEqual([
      { op: 'add', path: '/spec/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
      { op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { drop: ['ALL'] } },
      { op: 'add', path: '/spec/containers/1/securityContext/capabilities/drop', value: ['ALL'] },
      { op: 'add', path: '/spec/containers/2/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/2/securityContext/capabilities/drop', value: ['ALL'] },
    ]);
    expect(restrictedFailures(patched)).toEqual([]);
  });

  it('never touches a field that is set, even to a weaker value', () => {
    const object = pod({
      securityContext: { runAsNonRoot: false, seccompProfile: { type: 'Unconfined' } },
      containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['NET_RAW'] } } }],
    });
    const { patch, patched } = mutate(object);
    expect(patch).toEqual([]);
    expect(restrictedFailures(patched)).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);
  });

  it('gives a Windows pod runAsNonRoot only: the API server forbids the other fields there', () => {
    const object = pod({ os: { name: 'windows' }, containers: [{ name: 'app', image: 'iis' }] });
    const { patch, patched } = mutate(object);
    expect(patch).toEqual([{ op: 'add', path: '/spec/securityContext', value: { runAsNonRoot: true } }]);
    expect(restrictedFailures(patched)).toEqual([]);
  });

  it('leaves privileged and SYS_ADMIN containers alone, and runAsNonRoot off a pod that asks for root', () => {
    const object = pod({
      containers: [
        { name: 'priv', securityContext: { privileged: true } },
        { name: 'admin', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
        { name: 'root', securityContext: { runAsUser: 0 } },
      ],
    });
    expect(mutate(object).patch).toEqual([
      { op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' } } },
      { op: 'add', path: '/spec/containers/2/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/2/securityContext/capabilities', value: { drop: ['ALL'] } },
    ]);
  });

  it('does not patch a Pod on UPDATE, except ephemeral containers being added', () => {
    const existing = pod({ containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'debug-1' }] });
    expect(podSecurityContextDefaults.patch(existing, { ...CONTEXT, operation: 'UPDATE' })).toEqual([]);
    const withNew = pod({ containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'debug-1' }, { name: 'debug-2' }] });
    const context: RuleContext = { ...CONTEXT, operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: existing };
    expect(mutate(withNew, context).patch).toEqual([{ op: 'add', path: '/spec/ephemeralContainers/1/securityContext', value: CONTAINER_DEFAULTS }]);
    expect(podSecurityContextDefaults.patch(existing, { ...CONTEXT, subResource: 'status' })).toEqual([]);
  });

  it('leaves alone what the pod-security rule exempts: kube-system by default, users, runtime classes', () => {
    const plain = { containers: [{ name: 'kube-proxy' }] };
    expect(podSecurityContextDefaults.patch({ ...pod(plain), metadata: { name: 'kube-proxy-x', namespace: 'kube-system' } }, CONTEXT)).toEqual([]);
    expect(podSecurityContextDefaults.patch(pod(plain), { ...CONTEXT, namespace: { name: 'kube-system', labels: {} } })).toEqual([]);
    const config = testConfig({
      mutations: { podSecurityContextDefaults: true },
      rules: { 'pod-security': { exemptNamespaces: ['shop'], exemptions: { usernames: ['ci'], runtimeClassNames: ['kata'], namespaces: [] } } },
    });
    expect(podSecurityContextDefaults.patch(pod(plain), { config, operation: 'CREATE' })).toEqual([]);
    const elsewhere = { ...pod(plain), metadata: { name: 'web', namespace: 'other' } };
    expect(podSecurityContextDefaults.patch(elsewhere, { config, operation: 'CREATE', userInfo: { username: 'ci' } })).toEqual([]);
    expect(podSecurityContextDefaults.patch({ ...elsewhere, spec: { ...plain, runtimeClassName: 'kata' } }, { config, operation: 'CREATE' })).toEqual([]);
    expect(podSecurityContextDefaults.patch(elsewhere, { config, operation: 'CREATE' })).toHaveLength(2);
  });

  it('runs only when the configuration turns it on (off by default), through mutateObject', () => {
    const object = pod({ containers: [{ name: 'app' }] });
    expect(mutateObject(object, CONTEXT).applied).toEqual(['pod-security-context-defaults']);
    expect(mutateObject(object, { ...CONTEXT, config: testConfig() }).patch).toEqual([]);
  });

  it.each<{ name: string; object: KubeObject; patch: PatchOperation[] }>([
    { name: 'no spec', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, patch: [] },
    { name: 'a Deployment without a template', object: { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }, patch: [] },
    { name: 'securityContext a string', object: pod({ securityContext: 'x', containers: 'y' }), patch: [] },
    {
      name: 'containers of odd shapes',
      object: pod({ containers: [null, 'x', { name: 'a', securityContext: 5 }, { name: 'b', securityContext: { capabilities: 'ALL' } }] }),
      patch: [
        { op: 'add', path: '/spec/securityContext', value: POD_DEFAULTS },
        { op: 'add', path: '/spec/containers/3/securityContext/allowPrivilegeEscalation', value: false },
      ],
    },
  ])('does not throw on odd shapes, and patches only what it can: $name', ({ object, patch }) => {
    expect(mutate(object).patch).toEqual(patch);
  });
});
