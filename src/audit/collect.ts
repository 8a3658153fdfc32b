// The audit's pure core: objects in (as the listing pages them, Namespaces first), the report out. Each
// object is judged as it arrives and only its findings are kept, so a large cluster is never held in
// memory whole; owners are resolved at the end, when every workload has been seen.
import { isKind } from '../rules/kinds.js';
import type { KubeObject, NamespaceInfo, PolicyConfig } from '../rules/types.js';
import { AuditEvaluator } from './evaluate.js';
import { controllerUidOf, OwnerIndex, refOf } from './owners.js';
import { countResults, groupResults, summaryOf, type AuditError, type AuditReport, type AuditedObject } from './report.js';
import { pathOfRef } from './resources.js';

export interface CollectorOptions {
  /** Where the objects come from, for the report's heading. */
  source: string;
  /** The one namespace audited, when restricted. */
  namespace?: string | undefined;
}

const NAMESPACE_KIND = { group: '', kind: 'Namespace' };

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}\u0000${kind}`;
}

/**
 * A ReplicaSet its Deployment has scaled to zero: an old revision kept for `kubectl rollout undo`, not
 * something running. It still links its pods (if any are terminating) to the Deployment, but it is not
 * judged on its own: a template the Deployment has since fixed is not something enforcing would break.
 */
function isOldRevision(object: KubeObject): boolean {
  if (object.kind !== 'ReplicaSet' || controllerUidOf(object) === undefined) return false;
  const spec = object.spec as { replicas?: unknown } | undefined;
  return spec?.replicas === 0;
}

export class AuditCollector {
  private readonly evaluator: AuditEvaluator;
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly owners = new OwnerIndex();
  /** Objects with findings, by apiVersion and kind (so that a restarted listing can drop its kind). */
  private readonly audited = new Map<string, AuditedObject[]>();
  private readonly listed = new Map<string, { kind: string; count: number }>();
  private readonly judgedWithoutNamespace = new Map<string, number>();
  private readonly errors: AuditError[] = [];
  private readonly notes: string[] = [];
  private skippedRevisions = 0;

  constructor(
    config: PolicyConfig,
    private readonly options: CollectorOptions,
  ) {
    this.evaluator = new AuditEvaluator(config);
  }

  /** Judges one object. Namespaces must come before the objects in them. */
  add(object: KubeObject): void {
    const ref = refOf(object);
    const key = kindKey(ref.apiVersion, ref.kind);
    const listed = this.listed.get(key);
    if (listed) listed.count++;
    else this.listed.set(key, { kind: ref.kind, count: 1 });

    const isNamespace = isKind(object, NAMESPACE_KIND);
    if (isNamespace && ref.name !== '') this.namespaces.set(ref.name, { name: ref.name, labels: { ...(object.metadata?.labels ?? {}) } });
    this.owners.add(object);
    if (isOldRevision(object)) {
      this.skippedRevisions++;
      return;
    }

    let namespace: NamespaceInfo | undefined;
    if (!isNamespace && ref.namespace !== undefined) {
      namespace = this.namespaces.get(ref.namespace);
      if (!namespace) this.judgedWithoutNamespace.set(ref.namespace, (this.judgedWithoutNamespace.get(ref.namespace) ?? 0) + 1);
    }
    const file = pathOfRef(ref);
    const { findings, errors } = this.evaluator.evaluate(object, namespace);
    for (const error of errors) this.errors.push({ file, message: `rule ${error.rule} could not be evaluated: ${error.message}` });
    if (findings.length === 0) return;
    const audited = this.audited.get(key);
    const entry: AuditedObject = { ref, file, controllerUid: controllerUidOf(object), findings };
    if (audited) audited.push(entry);
    else this.audited.set(key, [entry]);
  }

  /** Forgets every object of a kind: its listing starts again from the beginning. */
  discard(apiVersion: string, kind: string): void {
    const key = kindKey(apiVersion, kind);
    this.audited.delete(key);
    this.listed.delete(key);
    this.owners.discardKind(apiVersion, kind);
    if (kind === 'ReplicaSet') this.skippedRevisions = 0;
    if (kind === 'Namespace') this.namespaces.clear();
  }

  addError(error: AuditError): void {
    this.errors.push(error);
  }

  addNote(note: string): void {
    this.notes.push(note);
  }

  finish(elapsedMs?: number): AuditReport {
    const results = groupResults([...this.audited.values()].flat(), this.owners);
    const listed: Record<string, number> = {};
    let resources = 0;
    for (const { kind, count } of [...this.listed.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))) {
      listed[kind] = (listed[kind] ?? 0) + count;
      resources += count;
    }
    resources -= this.skippedRevisions;
    const notes = [...this.notes];
    if (this.skippedRevisions > 0) {
      notes.push(`${this.skippedRevisions} ReplicaSet(s) scaled to 0 by their Deployment (old revisions kept for rollback) were not judged.`);
    }
    if (this.judgedWithoutNamespace.size > 0) {
      const objects = [...this.judgedWithoutNamespace.values()].reduce((sum, count) => sum + count, 0);
      const names = [...this.judgedWithoutNamespace.keys()].sort();
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
      notes.push(`${objects} object(s) in namespaces that were not listed (${shown}) were judged with the configured Pod Security defaults.`);
    }
    const errors = [...this.errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    return {
      source: this.options.source,
      namespace: this.options.namespace,
      listed,
      namespacesAudited: this.namespaces.size,
      results,
      errors,
      notes,
      counts: countResults(results),
      summary: summaryOf(results, resources, errors.length),
      elapsedMs,
    };
  }
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
