// Which kinds live outside any namespace. A manifest cannot say, and without a cluster there is no
// discovery to ask; these are the built-in cluster-scoped kinds and the cluster-wide policy kinds a rule
// judges. Any other kind is taken as namespaced, which only decides what a report shows as its
// namespace: no rule judges an unknown kind.
import { groupOf } from '../rules/kinds.js';
import type { KubeObject } from '../rules/types.js';

const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  // The cluster-wide network policies network-policy-allow-all judges.
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
  'crd.projectcalico.org/GlobalNetworkPolicy',
  'policy.networking.k8s.io/AdminNetworkPolicy',
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
  'policy.networking.k8s.io/ClusterNetworkPolicy',
]);

export function isClusterScoped(object: KubeObject): boolean {
  return CLUSTER_SCOPED.has(`${groupOf(object.apiVersion) ?? ''}/${String(object.kind)}`);
}
