// `policygate fix`'s engine: manifests in, the fixed text of every file and a report out. Nothing here
// writes a file.
//
// 1. Judge every object as `policygate check` does, with policygate's own mutations off: the file must
//    pass on its own, not because the webhook would fill the fields in at admission.
// 2. For each object, the fixer (src/rules/fixes/) turns the checks it fails into a JSON Patch.
// 3. The patch is made on the source text of the object's document (yaml-edit.ts). The document is
//    then read again, as kubectl reads it, and must be exactly the document with the patch applied to
//    the object, in every place an anchor it edited is used; an edit through an anchor that would also
//    change a place that does not need it is dropped and left for a person.
// 4. Judge the fixed files again: what remains needs a person.
import { constructFromEvents, parseEvents } from 'js-yaml';
import type { CheckError, CheckReport, CheckResult, CheckedResource, ResourceIdentity } from '../report/types.js';
import { planFix, type FixNote } from '../rules/fixes/index.js';
import { isRecord } from '../rules/is-record.js';
import { applyJsonPatch } from '../rules/json-patch-apply.js';
import { jsonPointer } from '../rules/json-pointer.js';
import type { PatchOperation, PolicyConfig } from '../rules/types.js';
import { checkManifests } from '../manifests/check-manifests.js';
import { KUBERNETES_YAML_SCHEMA } from '../manifests/kubernetes-yaml.js';
import { parseManifests, type InputProblem, type ManifestDocument } from '../manifests/parse-manifests.js';
import type { ManifestSource } from '../manifests/read-sources.js';
import { splitDocuments, type DocumentChunk } from '../manifests/split-documents.js';
import { DocumentEditor, type PlannedEdit } from './yaml-edit.js';
import type { Segment } from './unified-diff.js';

export interface FixOptions {
  config: PolicyConfig;
  /** The namespace of objects that name none, as for `check`. */
  namespace: string;
  /** Where reported positions point: into the fixed text (it is written) or the original (`--diff`). */
  positions: 'fixed' | 'original';
  /** The clock exceptions expire against, in milliseconds since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
}

export interface FixedFile {
  name: string;
  original: string;
  fixed: string;
  /** The file document by document, as read and as fixed (they join into `original` and `fixed`): for the diff. */
  segments: Segment[];
}

/** An object `fix` changed, and the checks that no longer fail on it. */
export interface ObjectChange extends ResourceIdentity {
  file: string;
  line: number;
  column: number;
  fixed: string[];
  /** Fixable checks that still fail, elsewhere in the object (a privileged container beside the fixed ones). */
  partly: string[];
  operations: PatchOperation[];
}

/** A field `fix` left alone, and why (besides what its finding says). */
export interface FixNoteResult extends ResourceIdentity, FixNote {
  file: string;
  line: number;
  column: number;
}

export interface FixReport {
  files: FixedFile[];
  changes: ObjectChange[];
  /** The findings that remain after the fix: each needs a person. */
  remaining: CheckResult[];
  notes: FixNoteResult[];
  errors: CheckError[];
  summary: { files: number; filesChanged: number; objects: number; objectsChanged: number; fixed: number; remaining: number; errors: number };
}

/** Aliases per document, as parse-manifests allows. */
const MAX_ALIASES = 10_000;

interface Target {
  document: ManifestDocument;
  resource: CheckedResource;
  operations: PatchOperation[];
  checks: string[];
  notes: FixNote[];
}

function withoutMutations(config: PolicyConfig): PolicyConfig {
  return { ...config, mutations: { ...config.mutations, namespaceLabelDefaults: false, podSecurityContextDefaults: false } };
}

function positionKey(file: string, line: number, column: number): string {
  return `${file}\u0000${line}:${column}`;
}

/** The value of a chunk's document as kubectl reads it, or undefined when it does not parse. */
function readChunk(text: string): unknown {
  try {
    const values = constructFromEvents(parseEvents(text, {}), { source: text, schema: KUBERNETES_YAML_SCHEMA, maxAliases: MAX_ALIASES });
    return values[0];
  } catch {
    return undefined;
  }
}

/**
 * The most nodes a document may expand to when its aliases are written out for the comparison: far
 * above any real manifest, far below what a document of nested aliases (a "billion laughs") expands to.
 */
const MAX_EXPANDED_NODES = 1_000_000;

/**
 * A deep copy in which nothing is shared: js-yaml reads an alias as one object in two places, and a
 * patch applied through one must not show in the other. Throws a RangeError past MAX_EXPANDED_NODES.
 */
function unshared(value: unknown, budget = { left: MAX_EXPANDED_NODES }): unknown {
  if (--budget.left < 0) throw new RangeError('the document expands to too many nodes to compare');
  if (Array.isArray(value)) return value.map((item) => unshared(item, budget));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unshared(item, budget)]));
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** Which chunk of the file an object's document is in: the last chunk starting at or before its line. */
function chunkIndexOf(chunks: readonly DocumentChunk[], line: number): number {
  let low = 0;
  let high = chunks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((chunks[middle]?.line ?? 0) <= line - 1) low = middle;
    else high = middle - 1;
  }
  return low;
}

interface ChunkOutcome {
  text: string;
  /** Per target: the operations made, and notes on the ones that were not. */
  made: Map<Target, PatchOperation[]>;
  notes: Map<Target, FixNote[]>;
}

function note(notes: Map<Target, FixNote[]>, target: Target, path: string, reason: string): void {
  notes.set(target, [...(notes.get(target) ?? []), { path, reason }]);
}

/** A JSON Patch path as a finding's field path. */
function operationField(operation: PatchOperation): string {
  return operation.path
    .split('/')
    .slice(1)
    .filter((token) => token !== '-')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : path === '' ? token : `${path}.${token}`), '');
}

/** Edits one document chunk for its targets; keeps only what reads back exactly as the patch asks. */
function editChunk(chunk: DocumentChunk, targets: readonly Target[]): ChunkOutcome {
  const outcome: ChunkOutcome = { text: chunk.text, made: new Map(), notes: new Map() };
  const editor = DocumentEditor.open(chunk.text);
  const original = readChunk(chunk.text);
  let problem = typeof editor === 'string' ? editor : original === undefined ? 'the document cannot be read again' : undefined;
  try {
    unshared(original);
  } catch {
    problem = 'not fixed: written out, the aliases of this document are too large to check an edit against';
  }
  if (problem !== undefined || typeof editor === 'string') {
    for (const target of targets) note(outcome.notes, target, '', problem ?? '');
    return outcome;
  }
  const planned = targets.map((target) => ({ target, edits: target.operations.map((operation) => editor.plan(target.document.itemPath, operation)) }));
  for (const { target, edits } of planned) {
    for (const edit of edits) if (edit.refused) note(outcome.notes, target, operationField(edit.operation), `not fixed: ${edit.refused}`);
  }

  /** The text the edits kept by `keep` make, if it reads back exactly as the patch asks; else undefined. */
  const attempt = (keep: (edit: PlannedEdit) => boolean): string | undefined => {
    let expected: unknown;
    try {
      expected = unshared(original);
    } catch {
      return undefined;
    }
    const kept = planned.map(({ target, edits }) => ({ target, edits: edits.filter((edit) => !edit.refused && keep(edit)) }));
    try {
      // One patch for the whole document: applyJsonPatch copies the document, once per call.
      const operations = kept.flatMap(({ target, edits }) => {
        const base = jsonPointer(target.document.itemPath);
        return edits.map((edit) => ({ ...edit.operation, path: base + edit.operation.path }));
      });
      expected = applyJsonPatch(expected, operations);
    } catch {
      return undefined;
    }
    const text = editor.apply(kept.flatMap(({ edits }) => edits));
    try {
      return deepEqual(unshared(readChunk(text)), expected) ? text : undefined;
    } catch {
      return undefined;
    }
  };

  const all = attempt(() => true);
  if (all !== undefined) outcome.text = all;
  else {
    const unsharedOnly = attempt((edit) => !edit.shared);
    if (unsharedOnly !== undefined) outcome.text = unsharedOnly;
    for (const { target, edits } of planned) {
      for (const edit of edits) {
        if (edit.refused) continue;
        if (unsharedOnly === undefined) note(outcome.notes, target, operationField(edit.operation), 'not fixed: the edit could not be made without changing something else in the document');
        else if (edit.shared) note(outcome.notes, target, operationField(edit.operation), 'not fixed: the field is shared through a YAML anchor (&) with places that do not need this change; change it by hand');
      }
    }
    if (unsharedOnly === undefined) return { ...outcome, made: new Map() };
    for (const { target, edits } of planned) outcome.made.set(target, edits.filter((edit) => !edit.refused && !edit.shared).map((edit) => edit.operation));
    return outcome;
  }
  for (const { target, edits } of planned) outcome.made.set(target, edits.filter((edit) => !edit.refused).map((edit) => edit.operation));
  return outcome;
}

/** An object across the two versions of its file: the same document and item in both. */
function objectKey(document: ManifestDocument): string {
  return `${document.file}\u0000${document.document}\u0000${JSON.stringify(document.itemPath)}`;
}

function documentsByPosition(parsed: Iterable<ManifestDocument>): Map<string, ManifestDocument> {
  const map = new Map<string, ManifestDocument>();
  for (const document of parsed) map.set(positionKey(document.file, document.position.line, document.position.column), document);
  return map;
}

function findingKey(result: CheckResult): string {
  return `${result.rule}\u0000${result.check}\u0000${result.mode}\u0000${result.policy ?? ''}`;
}

/** The findings of `before` that `after` no longer has (as a multiset: a finding raised twice and fixed once counts once). */
function fixedFindings(before: readonly CheckResult[], after: readonly CheckResult[]): CheckResult[] {
  const left = new Map<string, number>();
  for (const result of after) left.set(findingKey(result), (left.get(findingKey(result)) ?? 0) + 1);
  return before.filter((result) => {
    const count = left.get(findingKey(result)) ?? 0;
    if (count === 0) return true;
    left.set(findingKey(result), count - 1);
    return false;
  });
}

/** The report without what configured exceptions except: an accepted finding is neither fixed nor left to fix. */
function withoutExcepted(report: CheckReport): CheckReport {
  const actionable = (results: readonly CheckResult[]) => results.filter((result) => result.mode !== 'excepted');
  return { ...report, results: actionable(report.results), resources: report.resources.map((resource) => ({ ...resource, results: actionable(resource.results) })) };
}

/** Fixes what can be fixed in `sources`; `problems` are input errors found while reading them. */
export async function fixManifests(sources: readonly ManifestSource[], problems: readonly InputProblem[], options: FixOptions): Promise<FixReport> {
  const at = (options.now ?? Date.now)();
  const checkOptions = { config: withoutMutations(options.config), namespace: options.namespace, now: () => at };
  const before = withoutExcepted(await checkManifests(sources, problems, checkOptions));
  const originalDocuments = sources.flatMap((source) => parseManifests(source.name, source.text).documents);
  const originalAt = documentsByPosition(originalDocuments);

  const targetsByFile = new Map<string, Target[]>();
  for (const resource of before.resources) {
    const document = originalAt.get(positionKey(resource.file, resource.line, resource.column));
    if (!document || resource.results.length === 0) continue;
    const failing = new Map<string, Set<string>>();
    for (const result of resource.results) failing.set(result.rule, (failing.get(result.rule) ?? new Set()).add(result.check));
    const plan = planFix(document.object, failing, options.config);
    if (plan.operations.length === 0 && plan.notes.length === 0) continue;
    targetsByFile.set(resource.file, [...(targetsByFile.get(resource.file) ?? []), { document, resource, ...plan }]);
  }

  const files: FixedFile[] = [];
  const made = new Map<Target, PatchOperation[]>();
  const notes = new Map<Target, FixNote[]>();
  for (const source of sources) {
    const targets = targetsByFile.get(source.name) ?? [];
    for (const target of targets) if (target.notes.length > 0) notes.set(target, [...target.notes]);
    const editing = targets.filter((target) => target.operations.length > 0);
    const chunks = splitDocuments(source.text);
    if (editing.length === 0 || chunks.map((chunk) => chunk.text).join('') !== source.text) {
      for (const target of editing) note(notes, target, '', 'the file cannot be edited');
      files.push({ name: source.name, original: source.text, fixed: source.text, segments: [{ original: source.text, fixed: source.text }] });
      continue;
    }
    const byChunk = new Map<number, Target[]>();
    for (const target of editing) {
      const index = chunkIndexOf(chunks, target.document.position.line);
      byChunk.set(index, [...(byChunk.get(index) ?? []), target]);
    }
    const texts = chunks.map((chunk, index) => {
      const chunkTargets = byChunk.get(index);
      if (!chunkTargets) return chunk.text;
      const outcome = editChunk(chunk, chunkTargets);
      for (const [target, operations] of outcome.made) if (operations.length > 0) made.set(target, operations);
      for (const [target, targetNotes] of outcome.notes) for (const each of targetNotes) note(notes, target, each.path, each.reason);
      return outcome.text;
    });
    files.push({ name: source.name, original: source.text, fixed: texts.join(''), segments: chunks.map((chunk, index) => ({ original: chunk.text, fixed: texts[index] as string })) });
  }

  const after = withoutExcepted(
    await checkManifests(
      files.map((file) => ({ name: file.name, text: file.fixed })),
      problems,
      checkOptions,
    ),
  );
  const fixedDocuments = files.flatMap((file) => parseManifests(file.name, file.fixed).documents);
  const fixedAt = documentsByPosition(fixedDocuments);
  const reported = new Map((options.positions === 'fixed' ? fixedDocuments : originalDocuments).map((document) => [objectKey(document), document]));
  const afterByObject = new Map<string, CheckResult[]>();
  const remaining: CheckResult[] = [];
  for (const resource of after.resources) {
    const fixedDocument = fixedAt.get(positionKey(resource.file, resource.line, resource.column));
    const key = fixedDocument ? objectKey(fixedDocument) : undefined;
    if (key) afterByObject.set(key, resource.results);
    const document = key ? reported.get(key) : undefined;
    for (const result of resource.results) {
      if (!document) {
        remaining.push(result);
        continue;
      }
      const related = result.related.map((field) => ({ path: field.path, ...document.locate(field.path) }));
      remaining.push({ ...result, ...document.locate(result.path), related });
    }
  }
  const order = new Map(files.map((file, index) => [file.name, index]));
  remaining.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column);

  const changes: ObjectChange[] = [];
  const noteResults: FixNoteResult[] = [];
  let fixed = 0;
  for (const resource of before.resources) {
    const document = originalAt.get(positionKey(resource.file, resource.line, resource.column));
    const key = document ? objectKey(document) : undefined;
    const fixedHere = key ? fixedFindings(resource.results, afterByObject.get(key) ?? resource.results) : [];
    fixed += fixedHere.length;
  }
  for (const targets of targetsByFile.values()) {
    for (const target of targets) {
      const key = objectKey(target.document);
      const document = reported.get(key) ?? target.document;
      const identity: ResourceIdentity = { apiVersion: target.resource.apiVersion, kind: target.resource.kind, namespace: target.resource.namespace, name: target.resource.name };
      const operations = made.get(target);
      if (operations) {
        const checks = new Set(fixedFindings(target.resource.results, afterByObject.get(key) ?? []).map((result) => result.check));
        const partly = new Set((afterByObject.get(key) ?? []).map((result) => result.check).filter((check) => target.checks.includes(check)));
        changes.push({ file: target.resource.file, ...document.position, ...identity, fixed: [...checks].filter((check) => !partly.has(check)), partly: [...partly], operations });
      }
      for (const each of notes.get(target) ?? []) noteResults.push({ file: target.resource.file, ...document.locate(each.path), ...identity, ...each });
    }
  }
  const errors = options.positions === 'fixed' ? after.errors : before.errors;
  return {
    files,
    changes,
    remaining,
    notes: noteResults,
    errors,
    summary: {
      files: sources.length,
      filesChanged: files.filter((file) => file.fixed !== file.original).length,
      objects: before.resources.length,
      objectsChanged: changes.length,
      fixed,
      remaining: remaining.length,
      errors: errors.length,
    },
  };
}
