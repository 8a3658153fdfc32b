// Which exceptions apply to an object: each match field alone, globs, combinations, owners, expiry
// against a fixed clock; and whole findings excepted by evaluateObject for the rules other than
// pod-security.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { evaluateObject } from '../evaluate.js';
import type { ExceptionConfig, ExceptionMatch, KubeObject, RuleContext } from '../types.js';
import { exceptionsFor } from './match.js';

const NOW = Date.parse('2027-03-15T12:00:00Z');

function exception(match: ExceptionMatch, extra: Partial<ExceptionConfig> = {}): ExceptionConfig {
  return { name: 'x', reason: 'because', match, checks: ['pod-security/*'], ...extra };
}

function context(exceptions: ExceptionConfig[], namespace = 'monitoring', clock: { now: number | undefined } = { now: NOW }): RuleContext {
  return { config: testConfig({ exceptions }), operation: 'CREATE', namespace: { name: namespace, labels: {} }, now: clock.now };
}

const daemonSet: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-agent', namespace: 'monitoring' } };
const podOfDaemonSet: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'node-agent-x7k2p', namespace: 'monitoring', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent', uid: 'u1', controller: true }] },
};
const podOfDeployment: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-6f9d8-abcde',
    namespace: 'monitoring',
    labels: { 'pod-template-hash': '6f9d8' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6f9d8', uid: 'u2', controller: true }],
  },
};
const lonePod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'monitoring' } };

function applies(object: KubeObject, ctx: RuleContext, rule = 'pod-security'): boolean {
  return exceptionsFor(object, ctx, rule).length > 0;
}

describe('exceptionsFor: matching', () => {
  it.each([
    ['no field: every object', {}, lonePod, true],
    ['namespaces: the namespace', { namespaces: ['monitoring'] }, lonePod, true],
    ['namespaces: another namespace', { namespaces: ['default'] }, lonePod, false],
    ['namespaces: a glob', { namespaces: ['moni*'] }, lonePod, true],
    ['kinds: the object\'s kind', { kinds: ['Pod'] }, lonePod, true],
    ['kinds: another kind', { kinds: ['DaemonSet'] }, lonePod, false],
    ['names: the object\'s name', { names: ['debug'] }, lonePod, true],
    ['names: a glob of it', { names: ['deb*'] }, lonePod, true],
    ['names: another name', { names: ['web'] }, lonePod, false],
    ['kinds and names: the DaemonSet itself', { kinds: ['DaemonSet'], names: ['node-agent*'] }, daemonSet, true],
    ['kinds and names: its pod, through its owner', { kinds: ['DaemonSet'], names: ['node-agent'] }, podOfDaemonSet, true],
    ['kinds and names: the pod by its own kind and name', { kinds: ['Pod'], names: ['node-agent-*'] }, podOfDaemonSet, true],
    ['kinds and names must match the same object', { kinds: ['DaemonSet'], names: ['node-agent-x7k2p'] }, podOfDaemonSet, false],
    ['names alone: the owner\'s name', { names: ['node-agent'] }, podOfDaemonSet, true],
    ['a Deployment\'s pod, through ReplicaSet and pod-template-hash', { kinds: ['Deployment'], names: ['web'] }, podOfDeployment, true],
    ['a Deployment of another name', { kinds: ['Deployment'], names: ['we'] }, podOfDeployment, false],
    ['every field', { namespaces: ['mon*'], kinds: ['DaemonSet'], names: ['node-*'] }, podOfDaemonSet, true],
    ['every field but one', { namespaces: ['kube-*'], kinds: ['DaemonSet'], names: ['node-*'] }, podOfDaemonSet, false],
    ['containers and images are not object fields', { containers: ['nothing-here'], images: ['none'] }, lonePod, true],
  ])('%s', (_name, match: ExceptionMatch, object, expected) => {
    expect(applies(object, context([exception(match)]))).toBe(expected);
  });

  it('a Namespace is in its own namespace', () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } };
    const ctx: RuleContext = { config: testConfig({ exceptions: [exception({ namespaces: ['legacy'] }, { checks: ['namespace-required-labels/*'] })] }), operation: 'CREATE', now: NOW };
    expect(applies(namespace, ctx, 'namespace-required-labels')).toBe(true);
  });

  it('only for the rules it lists', () => {
    const ctx = context([exception({}, { checks: ['network-policy-allow-all/allow-all-ingress'] })]);
    expect(applies(lonePod, ctx, 'pod-security')).toBe(false);
    expect(applies(lonePod, ctx, 'network-policy-allow-all')).toBe(true);
  });

  it('never for policy-label-guard, even in a configuration built in code', () => {
    expect(applies(lonePod, context([exception({}, { checks: ['policy-label-guard/*'] })]), 'policy-label-guard')).toBe(false);
  });

  it('in the configuration\'s order', () => {
    const ctx = context([exception({}, { name: 'first' }), exception({ kinds: ['Job'] }, { name: 'no' }), exception({ namespaces: ['monitoring'] }, { name: 'second' })]);
    expect(exceptionsFor(lonePod, ctx, 'pod-security').map((found) => found.name)).toEqual(['first', 'second']);
  });
});

describe('exceptionsFor: expiry against the clock in the context', () => {
  it.each([
    ['no expiry', undefined, NOW, true],
    ['expires tomorrow', '2027-03-16', NOW, true],
    ['expires today (valid through the day)', '2027-03-15', NOW, true],
    ['expired yesterday', '2027-03-14', NOW, false],
    ['an instant one second away', '2027-03-15T12:00:01Z', NOW, true],
    ['an instant just reached', '2027-03-15T12:00:00Z', NOW, false],
    ['an expiry, and no clock given', '2099-01-01', undefined, false],
  ])('%s', (_name, expires, now, expected) => {
    const ctx = context([exception({}, expires === undefined ? {} : { expires })], 'monitoring', { now });
    expect(applies(lonePod, ctx)).toBe(expected);
  });
});

describe('evaluateObject: whole findings of the other rules', () => {
  const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: {} } };
  const openPolicy: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-all', namespace: 'legacy' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
  };

  it('excepts the listed check of namespace-required-labels and keeps it recorded', () => {
    const config = testConfig({ exceptions: [exception({ kinds: ['Namespace'], names: ['legacy'] }, { name: 'legacy-team', checks: ['namespace-required-labels/missing-label'] })] });
    const evaluation = evaluateObject(namespace, { config, operation: 'CREATE', now: NOW });
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.excepted).toEqual([
      {
        rule: 'namespace-required-labels',
        check: 'missing-label',
        mode: 'enforce',
        path: 'metadata.labels["team"]',
        paths: ['metadata.labels["team"]'],
        message: 'namespace "legacy" is missing required label "team"',
        exception: 'legacy-team',
      },
    ]);
  });

  it('excepts one check of network-policy-allow-all and leaves the other', () => {
    const config = testConfig({ exceptions: [exception({ namespaces: ['legacy'] }, { name: 'open-ingress', checks: ['network-policy-allow-all/allow-all-ingress'] })] });
    const evaluation = evaluateObject(openPolicy, { config, operation: 'CREATE', namespace: { name: 'legacy', labels: {} }, now: NOW });
    expect(evaluation.findings.map((finding) => finding.check)).toEqual(['allow-all-egress']);
    expect(evaluation.excepted.map((finding) => `${finding.check} ${finding.mode} ${finding.exception}`)).toEqual(['allow-all-ingress enforce open-ingress']);
  });

  it('excepts the findings of every policy kind the rule reads, a cluster-wide one by kind and name', () => {
    const clusterwide: KubeObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'open-gateway' },
      spec: { endpointSelector: { matchLabels: { app: 'gateway' } }, ingress: [{ fromEntities: ['all'] }] },
    };
    const without = evaluateObject(clusterwide, { config: testConfig(), operation: 'CREATE', now: NOW });
    expect(without.findings.map((finding) => finding.check)).toEqual(['allow-all-ingress']);
    const config = testConfig({
      exceptions: [exception({ kinds: ['CiliumClusterwideNetworkPolicy'], names: ['open-*'] }, { name: 'gateway', checks: ['network-policy-allow-all/*'] })],
    });
    const evaluation = evaluateObject(clusterwide, { config, operation: 'CREATE', now: NOW });
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.excepted.map((finding) => `${finding.check} ${finding.exception}`)).toEqual(['allow-all-ingress gateway']);
  });

  it('an expired exception excepts nothing', () => {
    const config = testConfig({ exceptions: [exception({ namespaces: ['legacy'] }, { expires: '2027-03-01', checks: ['network-policy-allow-all/*'] })] });
    const evaluation = evaluateObject(openPolicy, { config, operation: 'CREATE', namespace: { name: 'legacy', labels: {} }, now: NOW });
    expect(evaluation.findings.map((finding) => finding.check)).toEqual(['allow-all-ingress', 'allow-all-egress']);
    expect(evaluation.excepted).toEqual([]);
  });
});
