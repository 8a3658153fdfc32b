import { describe, expect, it } from 'vitest';
import { applyAdmissionDefaults } from './defaulting.js';
import { podUnderReview } from './pod-spec.js';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } };

describe('podUnderReview', () => {
  it.each([
    ['v1', 'Pod', { spec: template.spec }, 'metadata', 'spec'],
    ['v1', 'PodTemplate', { template }, 'template.metadata', 'template.spec'],
    ['v1', 'ReplicationController', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['apps/v1', 'Deployment', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['apps/v1', 'ReplicaSet', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['apps/v1', 'StatefulSet', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['apps/v1', 'DaemonSet', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['batch/v1', 'Job', { spec: { template } }, 'spec.template.metadata', 'spec.template.spec'],
    ['batch/v1', 'CronJob', { spec: { jobTemplate: { spec: { template } } } }, 'spec.jobTemplate.spec.template.metadata', 'spec.jobTemplate.spec.template.spec'],
  ])('%s %s: template at %s', (apiVersion, kind, body, metadataPath, specPath) => {
    const found = podUnderReview({ apiVersion, kind, metadata: { name: 'x' }, ...body });
    expect(found).toMatchObject({ metadataPath, specPath, spec: { containers: [{ name: 'c' }] } });
  });

  it.each([
    ['a kind that carries no pod', { apiVersion: 'v1', kind: 'ConfigMap' }],
    ['the right kind in another group', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', spec: { template } }],
    ['a workload without a template', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }],
    ['a template that is not an object', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: 'x' } }],
  ])('nothing for %s', (_, object) => {
    expect(podUnderReview(object)).toBeUndefined();
  });
});

describe('applyAdmissionDefaults', () => {
  it('turns a source-less volume into an emptyDir, as the API server does, without touching the input', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [], volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }] } } } };
    const defaulted = applyAdmissionDefaults(deployment);
    expect(podUnderReview(defaulted)?.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }]);
    expect(deployment.spec.template.spec.volumes[0]).toEqual({ name: 'scratch' });
  });

  it('gives a host-network Pod hostPort = containerPort where none is set, containers and init containers alike', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        hostNetwork: true,
        initContainers: [{ name: 'i', ports: [{ containerPort: 9000 }] }],
        containers: [{ name: 'c', ports: [{ containerPort: 8080 }, { containerPort: 8443, hostPort: 443 }, { containerPort: 53, hostPort: 0, protocol: 'UDP' }] }],
      },
    };
    const defaulted = applyAdmissionDefaults(pod);
    expect(podUnderReview(defaulted)?.spec.containers.map((container) => container.ports)).toEqual([
      [{ containerPort: 8080, hostPort: 8080 }, { containerPort: 8443, hostPort: 443 }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }],
    ]);
    expect(podUnderReview(defaulted)?.spec.initContainers?.[0]?.ports).toEqual([{ containerPort: 9000, hostPort: 9000 }]);
    expect(pod.spec.containers[0]?.ports[0]).toEqual({ containerPort: 8080 });
  });

  it.each([
    ['every volume has a source', { apiVersion: 'v1', kind: 'Pod', spec: { volumes: [{ name: 'cfg', configMap: { name: 'c' } }] } }],
    ['there are no volumes', { apiVersion: 'v1', kind: 'Pod', spec: {} }],
    ['the kind carries no pod', { apiVersion: 'v1', kind: 'ConfigMap', spec: { volumes: [{ name: 'scratch' }] } }],
    ['a Pod does not use the host network', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } }],
    // Since Kubernetes 1.28 the templates of workloads are not given host ports.
    ['a workload template uses the host network', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } } }],
  ])('returns the object itself, uncopied, when %s', (_, object) => {
    expect(applyAdmissionDefaults(object)).toBe(object);
  });
});
