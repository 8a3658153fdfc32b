// The audit's pure core: objects in (as the listing pages them, Namespaces first), the report out. Each
// object is judged as it arrives and only its findings are kept, so a large cluster is never held in
// memory whole; owners are resolved at the end, when every workload has been seen.
import { isKind, NAMESPACE_KIND } from '../rules/kinds.js';
import type { KubeObject, NamespaceInfo, PolicyConfig } from '../rules/types.js';
import { AuditEvaluator, AUDITED_RULES } from './evaluate.js';
import { ExceptionTally } from './exceptions.js';
import { NetworkPostureCollector } from './network-posture.js';
import { controllerUidOf, OwnerIndex, refOf } from './owners.js';
import { compareText, countResults, groupResults, summaryOf, type AuditError, type AuditReport, type AuditedObject } from './report.js';
import { pathOfRef } from './resources.js';

export interface CollectorOptions {
  /** Where the objects come from, for the report's heading. */
  source: string;
  /** The one namespace audited, when restricted. */
  namespace?: string | undefined;
  /** The instant exceptions' expiry is judged at, in milliseconds since the epoch. Default: when the collector is made. */
  at?: number | undefined;
}


/**
 * What the collector keeps of one kind (by apiVersion and kind): everything a restarted listing of that
 * kind must forget at once.
 */
interface KindTally {
  kind: string;
  listed: number;
  /** Old ReplicaSet revisions: listed, not judged. */
  skipped: number;
  /** The objects with findings. */
  audited: AuditedObject[];
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
  private readonly network: NetworkPostureCollector;
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly owners = new OwnerIndex();
  private readonly kinds = new Map<string, KindTally>();
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
    const controllerUid = controllerUidOf(object);
    this.owners.add(ref, controllerUid);
    if (isOldRevision(object, controllerUid)) {
      tally.skipped++;
      return;
    }

    let namespace: NamespaceInfo | undefined;
    if (!isNamespace && ref.namespace !== undefined) {
      namespace = this.namespaces.get(ref.namespace);
      if (!namespace) tally.withoutNamespace.set(ref.namespace, (tally.withoutNamespace.get(ref.namespace) ?? 0) + 1);
    }
    const { findings, excepted, errors } = this.evaluator.evaluate(object, namespace);
    if (findings.length === 0 && excepted.length === 0 && errors.length === 0) return;
    const file = pathOfRef(ref);
    this.exceptions.add(kindKey(ref.apiVersion, ref.kind), { ref, file, controllerUid, excepted });
    for (const error of errors) tally.errors.push({ file, message: `rule ${error.rule} could not be evaluated: ${error.message}` });
    if (findings.length > 0) tally.audited.push({ ref, file, controllerUid, findings });
  }

  /** Forgets every object of a kind: its listing starts again from the beginning. */
  discard(apiVersion: string, kind: string): void {
    this.kinds.delete(kindKey(apiVersion, kind));
    this.exceptions.discard(kindKey(apiVersion, kind));
    this.owners.discardKind(apiVersion, kind);
    this.network.discard(apiVersion, kind);
    if (kind === 'Namespace') this.namespaces.clear();
  }

  addError(error: AuditError): void {
    this.errors.push(error);
  }

  addNote(note: string): void {
    this.notes.push(note);
  }

  /** Objects of every kind added so far (and not discarded). */
  get listedCount(): number {
    let count = 0;
    for (const tally of this.kinds.values()) count += tally.listed;
    return count;
  }

  /** network-isolation on the listed Namespaces and policies, among everything listed; its findings per namespace. */
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
      this.exceptions.add(kindKey(ref.apiVersion, ref.kind), { ref, file, controllerUid: undefined, excepted });
      for (const error of errors) tally.errors.push({ file, message: `rule ${error.rule} could not be evaluated: ${error.message}` });
      if (findings.length === 0) continue;
      tally.audited.push({ ref, file, controllerUid: undefined, findings });
      const where = ref.namespace ?? (ref.kind === 'Namespace' ? ref.name : undefined);
      if (where !== undefined) perNamespace.set(where, (perNamespace.get(where) ?? 0) + findings.length);
    }
    return perNamespace;
  }

  finish(elapsedMs?: number): AuditReport {
    const network = this.network.finish(this.owners, this.judgeInContext());
    const tallies = [...this.kinds.values()].sort((a, b) => compareText(a.kind, b.kind));
    const results = groupResults(
      tallies.flatMap((tally) => tally.audited),
      this.owners,
    );
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
    const exceptions = this.exceptions.finish(this.owners, this.config.exceptions, this.at);
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

  private tallyOf(apiVersion: string, kind: string): KindTally {
    const key = kindKey(apiVersion, kind);
    let tally = this.kinds.get(key);
    if (!tally) this.kinds.set(key, (tally = { kind, listed: 0, skipped: 0, audited: [], errors: [], withoutNamespace: new Map() }));
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
