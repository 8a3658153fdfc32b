// Check `system-namespace-default-deny` (warn): a policy that isolates every pod of kube-system (or
// another of `systemNamespaces`) for ingress or egress. What its rules do not admit is then refused for
// every component there — DNS, the CNI's agents, metrics-server, the cloud controllers — and the
// cluster breaks in ways that are hard to trace back to one policy: the fifth pitfall. A policy that
// selects only some pods (`k8s-app: kube-dns`) and admits what they need is how to do it.
//
// Every API: a namespaced policy in the system namespace whose subject selects all its pods, and a
// cluster-scoped one (`endpointSelector: {}`, `selector: all()`) whose subject includes them all. A
// direction counts when it isolates (NetworkPolicy policyTypes, Calico types, a Cilium direction with
// rules) and no rule of it admits every peer on every port. Needs no context.
import { selectsEveryPodIn, type DirectionModel } from '../network-policy/index.js';
import { isolates, isolationPath, listText, opensEverything, subjectText, type PolicyUnderReview } from './policy-set.js';
import type { LocatedFinding } from './selector-matches-nothing.js';

export const SYSTEM_NAMESPACE_DEFAULT_DENY = {
  id: 'system-namespace-default-deny',
  description: 'No policy isolates every pod of a system namespace (kube-system) for ingress or egress.',
  defaultMode: 'warn',
} as const;

function breaking(direction: DirectionModel): boolean {
  return isolates(direction) && !opensEverything(direction);
}

export function systemNamespaceDefaultDeny(policy: PolicyUnderReview, systemNamespaces: readonly string[]): LocatedFinding[] {
  const findings: LocatedFinding[] = [];
  for (const unit of policy.model.units) {
    if (unit.subject.nodes) continue;
    const directions = unit.directions.filter(breaking);
    if (directions.length === 0) continue;
    const namespaces = systemNamespaces.filter((namespace) => selectsEveryPodIn(unit.subject.match, namespace));
    if (namespaces.length === 0) continue;
    const where = `namespace${namespaces.length > 1 ? 's' : ''} ${listText(namespaces)}`;
    const how = listText(directions.map((direction) => direction.name));
    findings.push({
      path: unit.subject.path,
      paths: [unit.subject.path, ...directions.map((direction) => isolationPath(policy.object, unit, direction))],
      message:
        `${subjectText(policy.object, unit)} isolates every pod of ${where} for ${how}: what no rule admits is refused for the cluster's own components there ` +
        '(DNS, the CNI, metrics-server, cloud controllers), which break; select only the pods you mean to isolate and admit what each needs ' +
        '(e.g. DNS on UDP and TCP port 53 to k8s-app: kube-dns), or leave the namespace out',
    });
  }
  return findings;
}
