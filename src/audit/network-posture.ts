// The audit's network posture: per namespace, whether every pod (that is or could be there) is isolated
// for ingress and for egress, how many pods no policy selects, which policies admit everything, and the
// pod groups (by top owner) that the union of the policies selecting them opens in a direction although
// each of those policies alone is narrow. Folded in as the audit lists: Namespaces and policies are kept
// as the network-isolation context keeps them (labels, models; KnownNetworkObjects), pods only as a count
// per namespace, label set and controller (the pods of one ReplicaSet are one entry), judged at the end
// when every policy is known. The policy objects themselves are held until then, for network-isolation's
// findings with their field paths (src/audit/collect.ts): policies are few beside pods.
import { isKind, matchesAny, NAMESPACE_KIND } from '../rules/kinds.js';
import { isExemptNamespace } from '../rules/modes.js';
import {
  admitsEverything,
  evaluate,
  podAssignment,
  POLICY_KINDS,
  type DirectionModel,
  type DirectionName,
  type RuleModel,
} from '../rules/network-policy/index.js';
import { KnownNetworkObjects } from '../rules/network-isolation/known-objects.js';
import { namespaceWithoutDefaultDeny } from '../rules/network-isolation/namespace-without-default-deny.js';
import { isolates } from '../rules/network-isolation/policy-set.js';
import type { ClusterContext, ContextPolicy, KubeObject, NamespaceInfo, PolicyConfig } from '../rules/types.js';
import type { ObjectRef, OwnerIndex } from './owners.js';
import { controllerUidOf } from './owners.js';

const DIRECTIONS: readonly DirectionName[] = ['ingress', 'egress'];

/** A policy that admits every peer on every port of a protocol in a direction, on its own. */
export interface PolicyAdmittingEverything {
  /** `NetworkPolicy.networking.k8s.io`. */
  kind: string;
  name: string;
  directions: DirectionName[];
}

/** Pods whose policies, together, admit everything in a direction, though none of them does alone. */
export interface OpenPodGroup {
  /** `Deployment/web`, or `Pod/name` for a pod nothing listed owns. */
  owner: string;
  pods: number;
  direction: DirectionName;
  /** The policies whose rules add up to everything. */
  policies: string[];
}

export interface NamespacePosture {
  namespace: string;
  /** Exempt from network-isolation (its exemptNamespaces or systemNamespaces): shown, not asked for a default-deny. */
  exempt: boolean;
  /** Whether every pod that is or could be in the namespace is isolated, by the policies' selectors together. */
  ingressIsolated: boolean;
  egressIsolated: boolean;
  pods: number;
  /** Pods no policy selects: every connection to and from them is admitted. */
  podsNotSelected: number;
  admittingEverything: PolicyAdmittingEverything[];
  openGroups: OpenPodGroup[];
  /** network-isolation findings on the namespace and its policies. */
  findings: number;
}

export interface NetworkPostureTotals {
  namespaces: number;
  ingressIsolated: number;
  egressIsolated: number;
  pods: number;
  podsNotSelected: number;
  policiesAdmittingEverything: number;
  openGroups: number;
  findings: number;
}

export interface NetworkPosture {
  totals: NetworkPostureTotals;
  namespaces: NamespacePosture[];
}

interface PodTally {
  namespace: string;
  labels: Record<string, string>;
  controllerUid: string | undefined;
  /** The first pod's reference: the group's name when nothing listed owns it. */
  example: ObjectRef;
  count: number;
}

interface PodVerdict {
  selected: boolean;
  open: { direction: DirectionName; policies: string[] }[];
}

function stringLabels(object: KubeObject): Record<string, string> {
  const labels = object.metadata?.labels;
  const result: Record<string, string> = {};
  if (labels && typeof labels === 'object') for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') result[key] = value;
  return result;
}

function shortKind(kind: string): string {
  return kind.split('.')[0] ?? kind;
}

function policyName(policy: ContextPolicy): string {
  return policy.namespace === undefined ? `${shortKind(policy.kind)}/${policy.name}` : policy.name;
}

/** The rules of several directions as one: NetworkPolicy-like directions add their allows up and their denies win. */
function union(directions: readonly DirectionModel[]): DirectionModel {
  const [first] = directions as [DirectionModel];
  return { ...first, path: '', rules: directions.flatMap((direction) => direction.rules) };
}

export class NetworkPostureCollector {
  private known: KnownNetworkObjects;
  private readonly policyObjects = new Map<string, KubeObject>();
  private readonly pods = new Map<string, PodTally>();

  constructor(
    private readonly config: PolicyConfig,
    /** Whether every Namespace is listed (a whole-cluster audit), or one only (--namespace). */
    private readonly allNamespaces: boolean,
  ) {
    this.known = this.emptyKnown();
  }

  private emptyKnown(): KnownNetworkObjects {
    return new KnownNetworkObjects({ source: 'cluster', namespaces: this.allNamespaces ? 'complete' : 'unknown' });
  }

  /** Folds in a listed object: a Namespace, a network policy of any API, or a Pod; anything else is passed over. */
  add(object: KubeObject): void {
    if (isKind(object, NAMESPACE_KIND)) return this.known.add(object);
    if (matchesAny(object, POLICY_KINDS)) {
      this.known.add(object);
      this.policyObjects.set(objectKey(object), object);
      return;
    }
    if (object.kind !== 'Pod' || object.apiVersion !== 'v1') return;
    const namespace = object.metadata?.namespace;
    if (typeof namespace !== 'string' || namespace === '') return;
    const labels = stringLabels(object);
    const controllerUid = controllerUidOf(object);
    const key = `${namespace}\u0000${controllerUid ?? ''}\u0000${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    const tally = this.pods.get(key);
    if (tally) tally.count++;
    else this.pods.set(key, { namespace, labels, controllerUid, example: { apiVersion: 'v1', kind: 'Pod', namespace, name: object.metadata?.name ?? '', uid: undefined }, count: 1 });
  }

  /**
   * Forgets every object of a kind whose listing starts again (410 Gone), so that nothing is counted
   * twice and nothing gone since stays: Pods' counts, or the Namespaces or policies of that kind (the
   * others are folded into a fresh context again; Namespaces and policies are few beside pods).
   */
  discard(apiVersion: string, kind: string): void {
    if (apiVersion === 'v1' && kind === 'Pod') return this.pods.clear();
    const isNamespaceKind = apiVersion === 'v1' && kind === 'Namespace';
    const ofKind = (object: KubeObject) => object.apiVersion === apiVersion && object.kind === kind;
    if (!isNamespaceKind && ![...this.policyObjects.values()].some(ofKind)) return;
    const namespaces = isNamespaceKind ? [] : this.namespaceObjects();
    this.known = this.emptyKnown();
    for (const namespace of namespaces) this.known.add(namespace);
    for (const [key, policy] of this.policyObjects) {
      if (ofKind(policy)) this.policyObjects.delete(key);
      else this.known.add(policy);
    }
  }

  /** The context network-isolation judges the listed policies and Namespaces in. */
  context(): ClusterContext {
    return this.known.context();
  }

  /** The listed policies, for network-isolation's findings with their field paths. */
  policies(): Iterable<KubeObject> {
    return this.policyObjects.values();
  }

  /** The listed Namespaces, as objects carrying their labels. */
  namespaceObjects(): KubeObject[] {
    return this.known.namespaceInfos().map((info) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: info.name, labels: { ...info.labels } } }));
  }

  /** The posture, once everything is listed; `findings` counts network-isolation's findings per namespace. */
  finish(owners: OwnerIndex, findings: ReadonlyMap<string, number>): NetworkPosture {
    const ruleConfig = this.config.rules['network-isolation'];
    const byNamespace = new Map<string, NamespacePosture>();
    for (const info of this.known.namespaceInfos()) byNamespace.set(info.name, this.namespacePosture(info, findings.get(info.name) ?? 0, ruleConfig.systemNamespaces.includes(info.name) || isExemptNamespace(ruleConfig, info.name)));

    const infos = new Map(this.known.namespaceInfos().map((info) => [info.name, info]));
    const verdicts = new Map<string, PodVerdict>();
    const groups = new Map<string, OpenPodGroup>();
    for (const tally of this.pods.values()) {
      const posture = byNamespace.get(tally.namespace);
      if (!posture) continue;
      const info = infos.get(tally.namespace);
      const labelsKey = `${tally.namespace}\u0000${JSON.stringify(tally.labels)}`;
      let verdict = verdicts.get(labelsKey);
      if (!verdict) verdicts.set(labelsKey, (verdict = this.podVerdict(tally.namespace, info?.labels ?? {}, tally.labels)));
      posture.pods += tally.count;
      if (!verdict.selected) posture.podsNotSelected += tally.count;
      if (verdict.open.length === 0) continue;
      const top = owners.topOwner(tally.controllerUid, tally.namespace) ?? tally.example;
      const owner = `${top.kind}/${top.name}`;
      for (const open of verdict.open) {
        const key = `${tally.namespace}\u0000${owner}\u0000${open.direction}\u0000${open.policies.join(',')}`;
        const group = groups.get(key);
        if (group) group.pods += tally.count;
        else {
          const created: OpenPodGroup = { owner, pods: tally.count, direction: open.direction, policies: open.policies };
          groups.set(key, created);
          posture.openGroups.push(created);
        }
      }
    }

    const namespaces = [...byNamespace.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
    for (const posture of namespaces) posture.openGroups.sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.direction < b.direction ? -1 : 1));
    const sum = (count: (posture: NamespacePosture) => number) => namespaces.reduce((total, posture) => total + count(posture), 0);
    return {
      totals: {
        namespaces: namespaces.length,
        ingressIsolated: sum((posture) => (posture.ingressIsolated ? 1 : 0)),
        egressIsolated: sum((posture) => (posture.egressIsolated ? 1 : 0)),
        pods: sum((posture) => posture.pods),
        podsNotSelected: sum((posture) => posture.podsNotSelected),
        policiesAdmittingEverything: sum((posture) => posture.admittingEverything.length),
        openGroups: sum((posture) => posture.openGroups.length),
        findings: sum((posture) => posture.findings),
      },
      namespaces,
    };
  }

  private namespacePosture(info: NamespaceInfo, findings: number, exempt: boolean): NamespacePosture {
    const policies = this.known.policiesOf(info.name);
    const admittingEverything: PolicyAdmittingEverything[] = [];
    for (const policy of policies) {
      if (policy.namespace === undefined) continue;
      const directions = new Set<DirectionName>();
      for (const unit of policy.model.units) {
        for (const direction of unit.directions) {
          if (direction.inEffect && admitsEverything(direction, { cidrMatchesCluster: policy.model.cidrMatchesCluster })) directions.add(direction.name);
        }
      }
      if (directions.size > 0) admittingEverything.push({ kind: policy.kind, name: policy.name, directions: DIRECTIONS.filter((name) => directions.has(name)) });
    }
    return {
      namespace: info.name,
      exempt,
      ingressIsolated: namespaceWithoutDefaultDeny(info.name, policies, 'ingress').length === 0,
      egressIsolated: namespaceWithoutDefaultDeny(info.name, policies, 'egress').length === 0,
      pods: 0,
      podsNotSelected: 0,
      admittingEverything: admittingEverything.sort((a, b) => (a.name < b.name ? -1 : 1)),
      openGroups: [],
      findings,
    };
  }

  /** Which policies select a pod of these labels, and in which direction their union, and no one alone, admits everything. */
  private podVerdict(namespace: string, namespaceLabels: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): PodVerdict {
    const assignment = podAssignment(namespace, namespaceLabels, labels);
    let selected = false;
    const isolating = new Map<DirectionName, { direction: DirectionModel; policy: ContextPolicy }[]>(DIRECTIONS.map((name) => [name, []]));
    for (const policy of this.known.policiesOf(namespace)) {
      for (const unit of policy.model.units) {
        if (unit.subject.nodes || evaluate(unit.subject.match, assignment) !== true) continue;
        selected = true;
        // The union is judged where allows add up: NetworkPolicy-like tiers, unordered directions.
        if (policy.model.tier !== 'namespace' && policy.model.tier !== 'cni') continue;
        for (const direction of unit.directions) if (isolates(direction) && !direction.ordered) isolating.get(direction.name)?.push({ direction, policy });
      }
    }
    const open: PodVerdict['open'] = [];
    for (const [name, entries] of isolating) {
      const named = new Set(entries.map((entry) => policyName(entry.policy)));
      if (named.size < 2) continue;
      if (entries.some((entry) => admitsEverything(entry.direction, { cidrMatchesCluster: entry.policy.model.cidrMatchesCluster }))) continue;
      const cidrMatchesCluster = entries.every((entry) => entry.policy.model.cidrMatchesCluster);
      const witness = admitsEverything(union(entries.map((entry) => entry.direction)), { cidrMatchesCluster });
      if (!witness) continue;
      const owners = new Map<RuleModel, string>();
      for (const entry of entries) for (const rule of entry.direction.rules) owners.set(rule, policyName(entry.policy));
      const policies = [...new Set(witness.parts.map((part) => owners.get(part.rule) ?? '?'))].sort();
      open.push({ direction: name, policies });
    }
    return { selected, open };
  }
}

function objectKey(object: KubeObject): string {
  return `${object.apiVersion ?? ''}\u0000${object.kind ?? ''}\u0000${object.metadata?.namespace ?? ''}\u0000${object.metadata?.name ?? ''}`;
}
