// From an object to the common model: which reader handles which kind.
import { isKind } from '../kinds.js';
import type { KubeObject, ResourceKind } from '../types.js';
import type { PolicyModel } from './model.js';
import { readAdminNetworkPolicy, readBaselineAdminNetworkPolicy, readClusterNetworkPolicy } from './read-admin.js';
import { readCalicoGlobalNetworkPolicy, readCalicoNetworkPolicy } from './read-calico.js';
import { readCiliumClusterwideNetworkPolicy, readCiliumNetworkPolicy } from './read-cilium.js';
import { readKubernetesNetworkPolicy } from './read-kubernetes.js';

interface Reader {
  kind: ResourceKind;
  read(object: KubeObject): PolicyModel | undefined;
}

const READERS: readonly Reader[] = [
  { kind: { group: 'networking.k8s.io', kind: 'NetworkPolicy' }, read: readKubernetesNetworkPolicy },
  { kind: { group: 'cilium.io', kind: 'CiliumNetworkPolicy' }, read: readCiliumNetworkPolicy },
  { kind: { group: 'cilium.io', kind: 'CiliumClusterwideNetworkPolicy' }, read: readCiliumClusterwideNetworkPolicy },
  { kind: { group: 'projectcalico.org', kind: 'NetworkPolicy' }, read: readCalicoNetworkPolicy },
  { kind: { group: 'projectcalico.org', kind: 'GlobalNetworkPolicy' }, read: readCalicoGlobalNetworkPolicy },
  { kind: { group: 'crd.projectcalico.org', kind: 'NetworkPolicy' }, read: readCalicoNetworkPolicy },
  { kind: { group: 'crd.projectcalico.org', kind: 'GlobalNetworkPolicy' }, read: readCalicoGlobalNetworkPolicy },
  { kind: { group: 'policy.networking.k8s.io', kind: 'AdminNetworkPolicy' }, read: readAdminNetworkPolicy },
  { kind: { group: 'policy.networking.k8s.io', kind: 'BaselineAdminNetworkPolicy' }, read: readBaselineAdminNetworkPolicy },
  { kind: { group: 'policy.networking.k8s.io', kind: 'ClusterNetworkPolicy' }, read: readClusterNetworkPolicy },
];

/** Every kind the analysis reads, for a rule's appliesTo. */
export const POLICY_KINDS: readonly ResourceKind[] = READERS.map((reader) => reader.kind);

/** The model of a policy object, or undefined when it is not a policy kind or has no spec to read. */
export function analyzePolicy(object: KubeObject): PolicyModel | undefined {
  for (const reader of READERS) if (isKind(object, reader.kind)) return reader.read(object);
  return undefined;
}
