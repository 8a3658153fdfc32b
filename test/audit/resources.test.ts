// What the audit lists and how it names things: every kind an audited rule judges is listed, under the
// right REST path; a finding's path moves into the owner's pod template.
import { describe, expect, it } from 'vitest';
import { AUDITED_RESOURCES, AUDITED_RULES, collectionPath, objectPath, pathInOwner, type ObjectRef } from '../../src/audit/index.js';
import { formatKind } from '../../src/rules/kinds.js';
import { POD_BEARING_KINDS } from '../../src/rules/pod-security/pod-spec.js';

const ref = (apiVersion: string, kind: string, name = 'x'): ObjectRef => ({ apiVersion, kind, namespace: 'team-a', name, uid: `uid-${kind}` });

describe('AUDITED_RESOURCES', () => {
  it('lists every kind an audited rule judges, and every pod-bearing kind', () => {
    const listed = new Set(AUDITED_RESOURCES.map(formatKind));
    const judged = [...AUDITED_RULES.flatMap((rule) => rule.meta.appliesTo), ...POD_BEARING_KINDS].map(formatKind);
    expect(judged.filter((kind) => !listed.has(kind))).toEqual([]);
    expect(AUDITED_RESOURCES[0]?.kind).toBe('Namespace');
    expect(AUDITED_RESOURCES.at(-1)?.kind).toBe('Pod');
  });

  it('names collections and objects by their API paths', () => {
    const byKind = (kind: string) => AUDITED_RESOURCES.find((resource) => resource.kind === kind)!;
    expect(collectionPath(byKind('Pod'))).toBe('/api/v1/pods');
    expect(collectionPath(byKind('Deployment'), 'team-a')).toBe('/apis/apps/v1/namespaces/team-a/deployments');
    expect(collectionPath(byKind('Namespace'), 'team-a')).toBe('/api/v1/namespaces');
    expect(objectPath(byKind('NetworkPolicy'), 'team-a', 'default')).toBe('/apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies/default');
    expect(objectPath(byKind('Namespace'), undefined, 'team-a')).toBe('/api/v1/namespaces/team-a');
  });
});

describe('pathInOwner', () => {
  it.each([
    [ref('v1', 'Pod'), ref('apps/v1', 'Deployment'), 'spec.containers[1].securityContext.privileged', 'spec.template.spec.containers[1].securityContext.privileged'],
    [ref('v1', 'Pod'), ref('batch/v1', 'CronJob'), 'spec.hostNetwork', 'spec.jobTemplate.spec.template.spec.hostNetwork'],
    [ref('v1', 'Pod'), ref('apps/v1', 'Deployment'), 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]', 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]'],
    [ref('apps/v1', 'ReplicaSet'), ref('apps/v1', 'Deployment'), 'spec.template.spec.volumes[0].hostPath', 'spec.template.spec.volumes[0].hostPath'],
    [ref('batch/v1', 'Job'), ref('batch/v1', 'CronJob'), 'spec.template.spec.containers[0].ports[0].hostPort', 'spec.jobTemplate.spec.template.spec.containers[0].ports[0].hostPort'],
    // Not a pod-template path: left alone.
    [ref('apps/v1', 'ReplicaSet'), ref('apps/v1', 'Deployment'), 'metadata.labels["team"]', 'metadata.labels["team"]'],
  ])('%o in %o: %s -> %s', (from, to, path, expected) => {
    expect(pathInOwner(path, from, to)).toBe(expected);
  });
});
