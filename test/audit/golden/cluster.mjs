// The cluster the audit's golden report was made from: the generated 10,000-pod cluster of
// fake-cluster.mjs, plus objects that take the paths a generated cluster never does (owners that were not
// listed, an ownership cycle, every workload kind, a namespace that was not listed, a rule lowered by
// its own mode label).
import { generateCluster } from '../fake-cluster.mjs';

const container = (name, extra = {}) => ({ name, image: `registry.example.com/${name}:1`, ...extra });
const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function meta(namespace, kind, name, owner) {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: `uid-${namespace ?? '-'}-${kind}-${name}`,
    ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid ?? `uid-${namespace}-${owner.kind}-${owner.name}`, controller: true }] } : {}),
  };
}

function pod(namespace, name, spec, owner) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta(namespace, 'Pod', name, owner), spec };
}

function workload(apiVersion, kind, namespace, name, spec, owner) {
  return { apiVersion, kind, metadata: meta(namespace, kind, name, owner), spec };
}

const privileged = { containers: [container('app', { securityContext: { privileged: true } })] };
const loose = { containers: [container('app')] };
const tight = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('app', { securityContext: restricted })] };

function edgeObjects() {
  const ns = (name, labels) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-ns-${name}`, labels: { team: 'edge', ...labels } } });
  return [
    ns('edge-a', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }),
    ns('edge-b', { 'pod-security.kubernetes.io/enforce': 'restricted', 'policygate.dev/mode.pod-security': 'audit' }),
    ns('edge-c', {}),
    // A pod whose ReplicaSet was never listed: it answers for itself.
    pod('edge-a', 'orphan-7f9c-abcde', privileged, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone-7f9c' }),
    // A DaemonSet and its pods, privileged; one pod made from an older template.
    workload('apps/v1', 'DaemonSet', 'edge-a', 'agent', { template: { spec: privileged } }),
    pod('edge-a', 'agent-1', privileged, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' }),
    pod('edge-a', 'agent-2', privileged, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' }),
    pod('edge-a', 'agent-old', { hostPID: true, ...privileged }, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' }),
    // A ReplicationController with a pod on the host's PID namespace.
    workload('v1', 'ReplicationController', 'edge-b', 'legacy', { replicas: 1, template: { spec: { hostPID: true, ...tight } } }),
    pod('edge-b', 'legacy-x1', { hostPID: true, ...tight }, { apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy' }),
    // A PodTemplate, judged as a template.
    { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta('edge-b', 'PodTemplate', 'runner'), template: { spec: privileged } },
    // A Job with no CronJob; its pod carries a sidecar the template does not.
    workload('batch/v1', 'Job', 'edge-c', 'migrate', { template: { spec: loose } }),
    pod('edge-c', 'migrate-q1', { containers: [container('app'), container('proxy', { securityContext: { privileged: true } })] }, { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate' }),
    // A Deployment an operator's custom resource controls: the chain ends at the Deployment.
    workload('apps/v1', 'Deployment', 'edge-c', 'operated', { replicas: 1, template: { spec: privileged } }, { apiVersion: 'example.com/v1', kind: 'Database', name: 'main' }),
    workload('apps/v1', 'ReplicaSet', 'edge-c', 'operated-5d', { replicas: 1, template: { spec: privileged } }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'operated' }),
    pod('edge-c', 'operated-5d-x', privileged, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'operated-5d' }),
    // Two ReplicaSets that name each other as controller: the chain stops where it repeats.
    workload('apps/v1', 'ReplicaSet', 'edge-c', 'loop-a', { replicas: 1, template: { spec: loose } }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'loop-b' }),
    workload('apps/v1', 'ReplicaSet', 'edge-c', 'loop-b', { replicas: 1, template: { spec: loose } }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'loop-a' }),
    pod('edge-c', 'loop-a-x', loose, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'loop-a' }),
    // A ReplicaSet at 0 replicas nothing owns: not an old revision, so judged.
    workload('apps/v1', 'ReplicaSet', 'edge-c', 'parked', { replicas: 0, template: { spec: privileged } }),
    // Pods in a namespace that was not listed: judged with the configured defaults.
    pod('edge-unlisted', 'stray', privileged),
    pod('edge-unlisted', 'stray-2', loose),
    // A NetworkPolicy open to the whole cluster.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('edge-b', 'NetworkPolicy', 'from-everywhere'),
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
    },
  ];
}

/** The golden report's cluster: 1,000 generated namespaces and the edge cases above. */
export function goldenCluster() {
  return [...generateCluster({ namespaces: 1000 }), ...edgeObjects()];
}
