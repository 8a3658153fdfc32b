import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import { podSecurity } from './pod-security.js';
import type { KubeObject, RuleContext } from './types.js';

const DEFAULTS = { enforce: 'baseline', 'enforce-version': 'latest', warn: 'restricted', 'warn-version': 'latest', audit: 'restricted', 'audit-version': 'latest' };
const PRIVILEGED_DEFAULTS = { enforce: 'privileged', 'enforce-version': 'latest', warn: 'privileged', 'warn-version': 'latest', audit: 'privileged', 'audit-version': 'latest' };

const barePod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team-a' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
const privilegedPod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'root', namespace: 'team-a' },
  spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] },
};

function context(overrides: Partial<RuleContext> = {}, config = testConfig({ rules: { 'pod-security': { defaults: DEFAULTS } } })): RuleContext {
  return { config, operation: 'CREATE', namespace: { name: 'team-a', labels: {} }, ...overrides };
}

function summary(object: KubeObject, ctx: RuleContext) {
  return podSecurity.evaluate(object, ctx).map((finding) => `${finding.mode} ${finding.policy} ${finding.check}`);
}

describe('pod-security rule', () => {
  it('a bare pod under the default policy: allowed, warned and audited at restricted', () => {
    const restrictedChecks = ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'];
    expect(summary(barePod, context())).toEqual([
      ...restrictedChecks.map((check) => `warn restricted:latest ${check}`),
      ...restrictedChecks.map((check) => `audit restricted:latest ${check}`),
    ]);
  });

  it('a privileged pod is denied at baseline with PSA wording and the field path; no warnings on a denial', () => {
    const findings = podSecurity.evaluate(privilegedPod, context());
    expect(findings[0]).toEqual({
      rule: 'pod-security',
      check: 'privileged',
      mode: 'enforce',
      policy: 'baseline:latest',
      path: 'spec.containers[0].securityContext.privileged',
      paths: ['spec.containers[0].securityContext.privileged'],
      message: 'privileged (container "app" must not set securityContext.privileged=true)',
    });
    expect(findings.filter((finding) => finding.mode === 'warn')).toEqual([]);
    expect(summary(privilegedPod, context()).filter((line) => line.startsWith('audit'))).toEqual([
      'audit restricted:latest privileged',
      'audit restricted:latest allowPrivilegeEscalation',
      'audit restricted:latest capabilities_restricted',
      'audit restricted:latest runAsNonRoot',
      'audit restricted:latest seccompProfile_restricted',
    ]);
  });

  it("the namespace's labels choose the level and version, as written in the label", () => {
    const ctx = context({ namespace: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.99' } } });
    expect(summary(barePod, ctx).filter((line) => line.startsWith('enforce'))).toEqual([
      'enforce restricted:v1.99 allowPrivilegeEscalation',
      'enforce restricted:v1.99 capabilities_restricted',
      'enforce restricted:v1.99 runAsNonRoot',
      'enforce restricted:v1.99 seccompProfile_restricted',
    ]);
  });

  it("the rule's mode caps PSA's: with mode warn, what would be denied becomes a warning", () => {
    const ctx = context({}, testConfig({ rules: { 'pod-security': { mode: 'warn', defaults: DEFAULTS } } }));
    expect(summary(privilegedPod, ctx).filter((line) => line.includes('privileged'))).toEqual([
      'warn baseline:latest privileged',
      'audit restricted:latest privileged',
    ]);
    // The restricted-only failures still warn, once each (privileged is already a warning at baseline).
    expect(summary(privilegedPod, ctx).filter((line) => line.startsWith('warn restricted'))).toEqual([
      'warn restricted:latest allowPrivilegeEscalation',
      'warn restricted:latest capabilities_restricted',
      'warn restricted:latest runAsNonRoot',
      'warn restricted:latest seccompProfile_restricted',
    ]);
  });

  it('a check set to off in the configuration is not reported', () => {
    const ctx = context({}, testConfig({ rules: { 'pod-security': { defaults: DEFAULTS, checks: { runAsNonRoot: 'off' } } } }));
    expect(summary(barePod, ctx).some((line) => line.endsWith('runAsNonRoot'))).toBe(false);
  });

  it('an invalid enforce label fails closed at restricted', () => {
    const ctx = context({ namespace: { name: 'team-a', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } }, testConfig({ rules: { 'pod-security': { defaults: PRIVILEGED_DEFAULTS } } }));
    expect(summary(barePod, ctx)).toContain('enforce restricted:latest runAsNonRoot');
  });

  it.each([
    ['namespace', { rules: { 'pod-security': { defaults: DEFAULTS, exemptions: { namespaces: ['team-a'], usernames: [], runtimeClassNames: [] } } } }, {}],
    ['username', { rules: { 'pod-security': { defaults: DEFAULTS, exemptions: { namespaces: [], usernames: ['system:serviceaccount:ci:deployer'], runtimeClassNames: [] } } } }, { userInfo: { username: 'system:serviceaccount:ci:deployer' } }],
  ])('exempt by %s: nothing is evaluated', (_, config, overrides) => {
    expect(podSecurity.evaluate(privilegedPod, context(overrides as Partial<RuleContext>, testConfig(config)))).toEqual([]);
  });

  it('exempt by runtimeClassName', () => {
    const config = testConfig({ rules: { 'pod-security': { defaults: DEFAULTS, exemptions: { namespaces: [], usernames: [], runtimeClassNames: ['kata'] } } } });
    const kataPod = { ...privilegedPod, spec: { ...(privilegedPod.spec as object), runtimeClassName: 'kata' } };
    expect(podSecurity.evaluate(kataPod, context({}, config))).toEqual([]);
  });

  it.each([
    ['exec', 0],
    ['attach', 0],
    ['log', 0],
    ['status', 0],
    ['binding', 0],
    ['eviction', 0],
    ['portforward', 0],
    ['proxy', 0],
    ['ephemeralcontainers', 1],
    ['resize', 1],
    // As PSA: a subresource it does not know is judged, so that a new one is no way around.
    ['frobnicate', 1],
  ])('pod subresource %s: evaluated %i time(s)', (subResource, evaluated) => {
    const denied = podSecurity.evaluate(privilegedPod, context({ subResource })).some((finding) => finding.mode === 'enforce');
    expect(denied).toBe(evaluated === 1);
  });

  it('a pod UPDATE is judged only when significant', () => {
    const relabelled = { ...privilegedPod, metadata: { ...privilegedPod.metadata, labels: { release: '2' } } };
    expect(podSecurity.evaluate(relabelled, context({ operation: 'UPDATE', oldObject: privilegedPod }))).toEqual([]);
    const newImage = { ...privilegedPod, spec: { containers: [{ name: 'app', image: 'nginx:2', securityContext: { privileged: true } }] } };
    expect(summary(newImage, context({ operation: 'UPDATE', oldObject: privilegedPod }))).toContain('enforce baseline:latest privileged');
  });

  it('DELETE and CONNECT are never judged', () => {
    expect(podSecurity.evaluate(privilegedPod, context({ operation: 'DELETE' }))).toEqual([]);
    expect(podSecurity.evaluate(privilegedPod, context({ operation: 'CONNECT' }))).toEqual([]);
  });

  it('workload templates are judged in the same modes as pods, with paths into the template', () => {
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'team-a' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'job', image: 'busybox' }] } } } } },
    };
    const [first] = podSecurity.evaluate(cronJob, context());
    expect(first).toMatchObject({ mode: 'enforce', check: 'hostNamespaces', path: 'spec.jobTemplate.spec.template.spec.hostNetwork' });
  });

  it('a workload UPDATE is judged only when its pod template changes', () => {
    const deployment = (replicas: number, privileged: boolean): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'legacy', namespace: 'team-a' },
      spec: { replicas, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'x', securityContext: { privileged } }] } } },
    });
    expect(podSecurity.evaluate(deployment(5, true), context({ operation: 'UPDATE', oldObject: deployment(2, true) }))).toEqual([]);
    expect(summary(deployment(2, true), context({ operation: 'UPDATE', oldObject: deployment(2, false) }))).toContain('enforce baseline:latest privileged');
    expect(podSecurity.evaluate(deployment(2, true), context({ operation: 'UPDATE', subResource: 'scale', oldObject: deployment(2, false) }))).toEqual([]);
  });

  it('without a known namespace, pods are judged by the configured defaults', () => {
    expect(summary(privilegedPod, context({ namespace: undefined }))).toContain('enforce baseline:latest privileged');
  });

  describe('Namespace labels', () => {
    const namespace = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels } });

    it('refuses an invalid level or version on create, naming the label', () => {
      const findings = podSecurity.evaluate(namespace({ 'pod-security.kubernetes.io/enforce': 'restriced' }), context());
      expect(findings).toEqual([
        {
          rule: 'pod-security',
          check: 'namespaceLabels',
          mode: 'enforce',
          path: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
          paths: ['metadata.labels["pod-security.kubernetes.io/enforce"]'],
          message: 'namespace "team-a" has Pod Security label "pod-security.kubernetes.io/enforce"="restriced"; expected one of privileged, baseline, restricted',
        },
      ]);
    });

    it('on update, judges only a change to the pod-security labels', () => {
      const bad = namespace({ 'pod-security.kubernetes.io/enforce': 'restriced', team: 'a' });
      const relabelled = namespace({ 'pod-security.kubernetes.io/enforce': 'restriced', team: 'b' });
      expect(podSecurity.evaluate(relabelled, context({ operation: 'UPDATE', oldObject: bad }))).toEqual([]);
      const worse = namespace({ 'pod-security.kubernetes.io/enforce': 'restriced', 'pod-security.kubernetes.io/warn-version': 'v2' });
      expect(podSecurity.evaluate(worse, context({ operation: 'UPDATE', oldObject: bad })).map((finding) => finding.path)).toEqual([
        'metadata.labels["pod-security.kubernetes.io/enforce"]',
        'metadata.labels["pod-security.kubernetes.io/warn-version"]',
      ]);
    });

    it('valid labels raise nothing', () => {
      expect(podSecurity.evaluate(namespace({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30' }), context())).toEqual([]);
    });
  });
});
