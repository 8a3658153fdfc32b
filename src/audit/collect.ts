// The audit's pure core: objects in (as the listing pages them, Namespaces first), the report out. Each
// object is judged as it arrives and folded into bounded state at once; nothing of it is kept but what
// the report needs:
//
// - per kind (KindTally): how many were listed and skipped, the rules that threw, the namespaces that
//   were not listed;
// - the owner index: each workload's uid, name and controller (owners.ts), so that a pod finds its top
//   owner;
// - the result lines (finding-groups.ts): one per reported object and field, a Deployment and its pods
//   being one, with counts of the owned objects behind it;
// - what the configured exceptions excepted (exceptions.ts): lines of the same kind, per exception.
//
// An object can only be folded into its owner's line once every kind that owns things has been listed.
// The listing lists those kinds before Pods (resources.ts), and calls `settleOwners()` when the last of
// them is done: the workloads judged until then wait (their findings, a few per workload), and from then
// on every object — above all every pod — is folded the moment it is judged and dropped with its page.
// A kind whose listing starts again (410 Gone) is taken back out of every part (`discard`).
//
// A new section of the report is one more such part: state that stays bounded as objects are added,
// forgets a kind on `discard`, and renders in `finish`.
import { isKind, NAMESPACE_KIND } from '../rules/kinds.js';
import type { KubeObject, NamespaceInfo, PolicyConfig } from '../rules/types.js';
import { AuditEvaluator, AUDITED_RULES, type ExceptedAuditFinding } from './evaluate.js';
import { ExceptionTally } from './exceptions.js';
import { FindingGroups, type JudgedObject } from './finding-groups.js';
import { NetworkPostureCollector } from './network-posture.js';
import { controllerUidOf, isOwnerKind, OwnerIndex, refOf } from './owners.js';
import { compareText, countResults, summaryOf, type AuditError, type AuditReport } from './report.js';
import { pathOfRef } from './resources.js';

export interface CollectorOptions {
  /** Where the objects come from, for the report's heading. */
  source: string;
  /** The one namespace audited, when restricted. */
  namespace?: string | undefined;
  /** The instant exceptions' expiry is judged at, in milliseconds since the epoch. Default: when the collector is made. */
  at?: number | undefined;
}

/** A judged object with findings that waits for the owners to be settled. */
interface WaitingObject extends JudgedObject {
  controllerUid: string | undefined;
  /** What configured exceptions excepted on it. */
  excepted: readonly ExceptedAuditFinding[];
}

/**
 * What the collector keeps of one kind (by apiVersion and kind): everything a restarted listing of that
 * kind must forget at once, but its result lines (FindingGroups forgets those).
 */
interface KindTally {
  kind: string;
  listed: number;
  /** Old ReplicaSet revisions: listed, not judged. */
  skipped: number;
  /** Objects with findings judged before the owners were settled. */
  waiting: WaitingObject[];
  /** Rules that threw on an object of this kind. */
  errors: AuditError[];
  /** Objects judged with the configured defaults because their namespace was not listed, by namespace. */
  withoutNamespace: Map<string, number>;
}

/**
 * A ReplicaSet its Deployment has scaled to zero: an old revision kept for `kubectl rollout undo`, not
 * something running. It still links its pods (if any are terminating) to the Deployment, but it is not
 * judged on its own: a template the Deployment has since fixed is not something enforcing would break.
 */
function isOldRevision(object: KubeObject, controllerUid: string | undefined): boolean {
  if (object.kind !== 'ReplicaSet' || controllerUid === undefined) return false;
  const spec = object.spec as { replicas?: unknown } | undefined;
  return spec?.replicas === 0;
}

/**
 * Rules that judge an object among others listed after it (network-isolation: a policy with the other
 * policies of its namespace, a Namespace with its policies): judged in finish(), once all is listed.
 */
const CONTEXT_RULE_IDS: ReadonlySet<string> = new Set(['network-isolation']);

export class AuditCollector {
  private readonly evaluator: AuditEvaluator;
  private readonly contextEvaluator: AuditEvaluator;
  /** The network posture: namespaces and policy models, pods as counts per label set and controller. */
  private readonly network: NetworkPostureCollector;
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly owners = new OwnerIndex();
  private readonly kinds = new Map<string, KindTally>();
  private readonly groups = new FindingGroups();
  private ownersSettled = false;
  /** Kinds that could not be listed. */
  private readonly errors: AuditError[] = [];
  private readonly notes: string[] = [];
  private readonly exceptions = new ExceptionTally();
  /** When exceptions' expiry is judged: one instant for the whole audit. */
  private readonly at: number;

  constructor(
    private readonly config: PolicyConfig,
    private readonly options: CollectorOptions,
  ) {
    this.at = options.at ?? Date.now();
    this.evaluator = new AuditEvaluator(
      config,
      AUDITED_RULES.filter((rule) => !CONTEXT_RULE_IDS.has(rule.id)),
      this.at,
    );
    this.contextEvaluator = new AuditEvaluator(
      config,
      AUDITED_RULES.filter((rule) => CONTEXT_RULE_IDS.has(rule.id)),
      this.at,
    );
    this.network = new NetworkPostureCollector(config, options.namespace === undefined);
  }

  /** Judges one object. Namespaces must come before the objects in them. */
  add(object: KubeObject): void {
    const ref = refOf(object);
    const tally = this.tallyOf(ref.apiVersion, ref.kind);
    tally.listed++;

    this.network.add(object);
    const isNamespace = isKind(object, NAMESPACE_KIND);
    if (isNamespace && ref.name !== '') this.namespaces.set(ref.name, { name: ref.name, labels: { ...(object.metadata?.labels ?? {}) } });
    let namespace: NamespaceInfo | undefined;
    if (!isNamespace && ref.namespace !== undefined) {
      namespace = this.namespaces.get(ref.namespace);
      // One string per namespace, not one per object kept.
      if (namespace) ref.namespace = namespace.name;
      else tally.withoutNamespace.set(ref.namespace, (tally.withoutNamespace.get(ref.namespace) ?? 0) + 1);
    }
    const controllerUid = controllerUidOf(object);
    if (this.ownersSettled && isOwnerKind(ref.kind)) throw new Error(`${ref.kind} listed after the owners were settled`);
    this.owners.add(ref, controllerUid);
    if (isOldRevision(object, controllerUid)) {
      tally.skipped++;
      return;
    }

    const { findings, excepted, errors } = this.evaluator.evaluate(object, namespace);
    if (findings.length === 0 && excepted.length === 0 && errors.length === 0) return;
    const file = pathOfRef(ref);
    for (const error of errors) tally.errors.push({ file, message: `rule ${error.rule} could not be evaluated: ${error.message}` });
    if (findings.length === 0 && excepted.length === 0) return;
    const judged: WaitingObject = { ref, file, controllerUid, findings, excepted };
    if (this.ownersSettled) this.fold(judged);
    else tally.waiting.push(judged);
  }

  /**
   * Every kind that owns others has been listed (or given up on): the objects waiting for their owners
   * are folded into their lines, and every object from now on is folded as it is judged. No kind that
   * owns others may be added or discarded after this.
   */
  settleOwners(): void {
    if (this.ownersSettled) return;
    this.ownersSettled = true;
    for (const tally of this.sortedTallies()) {
      for (const judged of tally.waiting) this.fold(judged);
      tally.waiting = [];
    }
  }

  private fold(judged: WaitingObject): void {
    const owner = this.owners.topOwner(judged.controllerUid, judged.ref.namespace);
    if (judged.findings.length > 0) this.groups.add(judged, owner);
    this.exceptions.add(judged, owner);
  }

  /** Forgets every object of a kind: its listing starts again from the beginning. */
  discard(apiVersion: string, kind: string): void {
    if (this.ownersSettled && isOwnerKind(kind)) throw new Error(`cannot discard ${kind} after the owners were settled`);
    this.kinds.delete(kindKey(apiVersion, kind));
    this.owners.discardKind(apiVersion, kind);
    this.groups.discardKind(apiVersion, kind);
    this.exceptions.discardKind(apiVersion, kind);
    this.network.discard(apiVersion, kind);
    if (kind === 'Namespace') this.namespaces.clear();
  }

  addError(error: AuditError): void {
    this.errors.push(error);
  }

  addNote(note: string): void {
    this.notes.push(note);
  }

  /** What the collector holds, in entries: it grows with result lines and workloads, never with pods. */
  get retained(): { lines: number; workloads: number; waiting: number; namespaces: number } {
    let waiting = 0;
    for (const tally of this.kinds.values()) waiting += tally.waiting.length;
    return { lines: this.groups.size, workloads: this.owners.size, waiting, namespaces: this.namespaces.size };
  }

  /** Objects of every kind added so far (and not discarded). */
  get listedCount(): number {
    let count = 0;
    for (const tally of this.kinds.values()) count += tally.listed;
    return count;
  }

  /**
   * network-isolation on the listed Namespaces and policies, among everything listed, folded into the
   * result lines (the owners are settled); its findings per namespace.
   */
  private judgeInContext(): Map<string, number> {
    const cluster = this.network.context();
    const perNamespace = new Map<string, number>();
    for (const object of [...this.network.namespaceObjects(), ...this.network.policies()]) {
      const ref = refOf(object);
      const namespace = ref.namespace === undefined ? undefined : this.namespaces.get(ref.namespace);
      const { findings, excepted, errors } = this.contextEvaluator.evaluate(object, namespace, cluster);
      if (findings.length === 0 && excepted.length === 0 && errors.length === 0) continue;
      const tally = this.tallyOf(ref.apiVersion, ref.kind);
      const file = pathOfRef(ref);
      for (const error of errors) tally.errors.push({ file, message: `rule ${error.rule} could not be evaluated: ${error.message}` });
      if (findings.length === 0 && excepted.length === 0) continue;
      this.fold({ ref, file, controllerUid: undefined, findings, excepted });
      const where = ref.namespace ?? (ref.kind === 'Namespace' ? ref.name : undefined);
      if (where !== undefined && findings.length > 0) perNamespace.set(where, (perNamespace.get(where) ?? 0) + findings.length);
    }
    return perNamespace;
  }

  /** The report. The collector is spent: call once, at the end. */
  finish(elapsedMs?: number): AuditReport {
    this.settleOwners();
    const network = this.network.finish(this.owners, this.judgeInContext());
    const tallies = this.sortedTallies();
    const results = this.groups.results();
    const listed: Record<string, number> = {};
    let resources = 0;
    let skipped = 0;
    const withoutNamespace = new Map<string, number>();
    for (const tally of tallies) {
      listed[tally.kind] = (listed[tally.kind] ?? 0) + tally.listed;
      resources += tally.listed - tally.skipped;
      skipped += tally.skipped;
      for (const [name, count] of tally.withoutNamespace) withoutNamespace.set(name, (withoutNamespace.get(name) ?? 0) + count);
    }
    const notes = [...this.notes];
    if (skipped > 0) {
      notes.push(`${skipped} ReplicaSet(s) scaled to 0 by their Deployment (old revisions kept for rollback) were not judged.`);
    }
    if (withoutNamespace.size > 0) {
      const objects = [...withoutNamespace.values()].reduce((sum, count) => sum + count, 0);
      const names = [...withoutNamespace.keys()].sort();
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
      notes.push(`${objects} object(s) in namespaces that were not listed (${shown}) were judged with the configured Pod Security defaults.`);
    }
    const errors = [...this.errors, ...tallies.flatMap((tally) => tally.errors)].sort((a, b) => compareText(a.file, b.file) || compareText(a.message, b.message));
    const exceptions = this.exceptions.finish(this.config.exceptions, this.at);
    return {
      source: this.options.source,
      namespace: this.options.namespace,
      listed,
      namespacesAudited: this.namespaces.size,
      results,
      errors,
      notes,
      counts: countResults(results),
      summary: { ...summaryOf(results, resources, errors.length), excepted: exceptions.excepted.length },
      exceptions,
      network,
      elapsedMs,
    };
  }

  private sortedTallies(): KindTally[] {
    return [...this.kinds.values()].sort((a, b) => compareText(a.kind, b.kind));
  }

  private tallyOf(apiVersion: string, kind: string): KindTally {
    const key = kindKey(apiVersion, kind);
    let tally = this.kinds.get(key);
    if (!tally) this.kinds.set(key, (tally = { kind, listed: 0, skipped: 0, waiting: [], errors: [], withoutNamespace: new Map() }));
    return tally;
  }
}

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}\u0000${kind}`;
}

/** The audit of objects already in hand (an informer's cache, a test's fixtures): Namespaces are judged first. */
export function auditObjects(objects: Iterable<KubeObject>, config: PolicyConfig, options: CollectorOptions): AuditReport {
  const collector = new AuditCollector(config, options);
  const rest: KubeObject[] = [];
  for (const object of objects) {
    if (isKind(object, NAMESPACE_KIND)) collector.add(object);
    else rest.push(object);
  }
  for (const object of rest) collector.add(object);
  return collector.finish();
}
