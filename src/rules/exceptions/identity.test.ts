import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types.js';
import { identitiesOf } from './identity.js';

function pod(owner: { kind: string; name: string; controller?: boolean } | undefined, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p-1',
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: 'u', controller: owner.controller ?? true }] } : {}),
    },
  };
}

describe('identitiesOf', () => {
  it.each([
    ['a pod without owner', pod(undefined), ['Pod/p-1']],
    ['a pod of a DaemonSet', pod({ kind: 'DaemonSet', name: 'node-agent' }), ['Pod/p-1', 'DaemonSet/node-agent']],
    ['a pod of a StatefulSet', pod({ kind: 'StatefulSet', name: 'db' }), ['Pod/p-1', 'StatefulSet/db']],
    ['a pod of a Deployment, through its ReplicaSet and pod-template-hash', pod({ kind: 'ReplicaSet', name: 'web-7d4b9c' }, { 'pod-template-hash': '7d4b9c' }), ['Pod/p-1', 'ReplicaSet/web-7d4b9c', 'Deployment/web']],
    ['a pod of a bare ReplicaSet (no hash label)', pod({ kind: 'ReplicaSet', name: 'web-7d4b9c' }), ['Pod/p-1', 'ReplicaSet/web-7d4b9c']],
    ['a pod whose hash is not its ReplicaSet\'s', pod({ kind: 'ReplicaSet', name: 'web-7d4b9c' }, { 'pod-template-hash': 'abc' }), ['Pod/p-1', 'ReplicaSet/web-7d4b9c']],
    ['a pod of a CronJob, through its Job', pod({ kind: 'Job', name: 'backup-28930140' }), ['Pod/p-1', 'Job/backup-28930140', 'CronJob/backup']],
    ['a pod of a Job not named by a CronJob', pod({ kind: 'Job', name: 'migrate' }), ['Pod/p-1', 'Job/migrate']],
    ['an owner that is not the controller', pod({ kind: 'DaemonSet', name: 'node-agent', controller: false }), ['Pod/p-1']],
  ])('%s', (_name, object, expected) => {
    expect(identitiesOf(object).map((identity) => `${identity.kind}/${identity.name}`)).toEqual(expected);
  });

  it('a ReplicaSet answers to its Deployment; a template to its own name', () => {
    const replicaSet: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-7d4b9c', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }] } };
    expect(identitiesOf(replicaSet)).toEqual([{ kind: 'ReplicaSet', name: 'web-7d4b9c' }, { kind: 'Deployment', name: 'web' }]);
    expect(identitiesOf({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-agent' } })).toEqual([{ kind: 'DaemonSet', name: 'node-agent' }]);
  });

  it('reads malformed owner references as none', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [null, 'x', { controller: true, kind: 3, name: 'n' }] } } as unknown as KubeObject;
    expect(identitiesOf(object)).toEqual([{ kind: 'Pod', name: 'p' }]);
  });
});
