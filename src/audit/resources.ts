// What the audit lists: every kind a rule judges the state of (Namespaces, network policies of every API
// network-policy-allow-all reads, Pods and the workloads whose pod templates are checked), with the REST
// resource the API server serves it under. The order is the listing order: Namespaces first (their
// labels are the context of everything else), then the policies, then the workloads from the top owner
// down, then Pods, the bulk of a cluster, last. The policy kinds of Cilium, Calico and sig-network are
// custom resources a cluster may not have: `optional`, a 404 when listing them means "not installed".
import type { KubeObject, ResourceKind } from '../rules/types.js';

export interface AuditedResource extends ResourceKind {
  version: string;
  /** The plural REST name: `deployments`. */
  resource: string;
  namespaced: boolean;
  /** A custom resource the cluster may not serve: listing it may answer 404, which is no error. */
  optional?: boolean;
}

function resource(group: string, version: string, kind: string, plural: string, namespaced = true): AuditedResource {
  return { group, version, kind, resource: plural, namespaced };
}

function customResource(group: string, version: string, kind: string, plural: string, namespaced: boolean): AuditedResource {
  return { ...resource(group, version, kind, plural, namespaced), optional: true };
}

export const NAMESPACES = resource('', 'v1', 'Namespace', 'namespaces', false);

export const AUDITED_RESOURCES: readonly AuditedResource[] = [
  NAMESPACES,
  resource('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  customResource('cilium.io', 'v2', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', true),
  customResource('cilium.io', 'v2', 'CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', false),
  customResource('projectcalico.org', 'v3', 'NetworkPolicy', 'networkpolicies', true),
  customResource('projectcalico.org', 'v3', 'GlobalNetworkPolicy', 'globalnetworkpolicies', false),
  customResource('crd.projectcalico.org', 'v1', 'NetworkPolicy', 'networkpolicies', true),
  customResource('crd.projectcalico.org', 'v1', 'GlobalNetworkPolicy', 'globalnetworkpolicies', false),
  customResource('policy.networking.k8s.io', 'v1alpha1', 'AdminNetworkPolicy', 'adminnetworkpolicies', false),
  customResource('policy.networking.k8s.io', 'v1alpha1', 'BaselineAdminNetworkPolicy', 'baselineadminnetworkpolicies', false),
  customResource('policy.networking.k8s.io', 'v1alpha2', 'ClusterNetworkPolicy', 'clusternetworkpolicies', false),
  resource('batch', 'v1', 'CronJob', 'cronjobs'),
  resource('batch', 'v1', 'Job', 'jobs'),
  resource('apps', 'v1', 'Deployment', 'deployments'),
  resource('apps', 'v1', 'ReplicaSet', 'replicasets'),
  resource('apps', 'v1', 'StatefulSet', 'statefulsets'),
  resource('apps', 'v1', 'DaemonSet', 'daemonsets'),
  resource('', 'v1', 'ReplicationController', 'replicationcontrollers'),
  resource('', 'v1', 'PodTemplate', 'podtemplates'),
  resource('', 'v1', 'Pod', 'pods'),
];

export function apiVersionOf(resource: AuditedResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** `pods`, `deployments.apps`: how kubectl names a resource, for messages. */
export function resourceName(resource: AuditedResource): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
}

/** The collection's path: `/apis/apps/v1/deployments`, or within one namespace `/apis/apps/v1/namespaces/team-a/deployments`. */
export function collectionPath(resource: AuditedResource, namespace?: string): string {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${resource.resource}`;
}

/** One object's path on the API server (what `kubectl get --raw` takes): the audit's "file". */
export function objectPath(resource: AuditedResource, namespace: string | undefined, name: string): string {
  return `${collectionPath(resource, resource.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}

/** The audited resource of an object, by its apiVersion's group and its kind. */
export function auditedResourceOf(object: KubeObject): AuditedResource | undefined {
  const apiVersion = object.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  return AUDITED_RESOURCES.find((candidate) => candidate.kind === object.kind && candidate.group === group);
}

/** The API path of a listed object, from its apiVersion, kind, namespace and name. */
export function pathOfRef(ref: { apiVersion: string; kind: string; namespace: string | undefined; name: string }): string {
  const resource = auditedResourceOf({ apiVersion: ref.apiVersion, kind: ref.kind });
  if (!resource) return `${ref.apiVersion}/${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  return objectPath(resource, ref.namespace, ref.name);
}
