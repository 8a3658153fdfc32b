// The offline checker's engine: the arguments in, every object judged as the webhook would judge it
// (judge.ts), and the findings handed to the reporters one document at a time, as the input is read.
// Memory follows the largest document, not the input: a document's parser events and objects are let go
// once it is judged and reported.
//
// Namespaces in the input supply the labels of the objects in them, and with
// the input's network policies the context network-isolation judges a policy among
// (network-context.ts): a first, cheap pass over the input collects both, so that they apply wherever
// they are. Standard input and pipes can be read only once: their text is held (the text, never its
// objects: 22 MB for 113,000 pods) and read twice from memory.
import { byPlace, type Reporter } from '../report/reporter.js';
import type { CheckError, CheckSummary, CheckedResource, SkippedInput } from '../report/types.js';
import { isKind, NAMESPACE_KIND } from '../rules/kinds.js';
import type { KubeObject } from '../rules/types.js';
import { DocumentSplitter } from './document-stream.js';
import { admit, validate, type CheckOptions } from './judge.js';
import type { NamespaceLookup } from '../admission/types.js';
import { namespacesFromObjects } from './namespaces.js';
import { InputNetworkObjects } from './network-context.js';
import { parseChunk } from './parse-manifests.js';
import { helmChartReason, readFailure, STDIN_NAME, type InputItem, type NamedInput } from './read-sources.js';
import type { DocumentChunk } from './split-documents.js';

export type ReadableItem = Extract<InputItem, { type: 'file' } | { type: 'stdin' }>;

export interface CheckProgress {
  /** Objects judged so far. */
  objects: number;
  /** Characters of input read so far. */
  read: number;
}

export interface CheckRun {
  inputs: readonly NamedInput[];
  options: CheckOptions;
  reporters: readonly Reporter[];
  /** The text of a file or of standard input, in pieces as it is read. */
  open(item: ReadableItem): AsyncIterable<string>;
  /** Awaited after each document: lets a slow reader of the output catch up. */
  ready?(): Promise<void> | undefined;
  onProgress?(progress: CheckProgress): void;
}

/** The most objects of one document (a List) handed to the reporters at once. */
const BATCH = 100;

/** How often progress is reported, in objects. */
const PROGRESS_EVERY = 500;

/** The documents of a text given in pieces. */
async function* chunksOf(pieces: AsyncIterable<string>): AsyncGenerator<DocumentChunk> {
  const splitter = new DocumentSplitter();
  for await (const piece of pieces) yield* splitter.push(piece);
  yield* splitter.end();
}

/**
 * An argument that gave nothing to check is an input error: a `helm template` that failed and wrote
 * nothing, a build output not written yet, a typo in a path. Passing there would turn CI green on nothing.
 */
function nothingToCheck(input: NamedInput, files: number, skipped: number): CheckError {
  const error = (file: string, message: string): CheckError => ({ file, line: null, column: null, message });
  if (input.kind === 'stdin') return error(STDIN_NAME, 'no objects on standard input');
  if (input.kind === 'file') return error(input.path, 'no Kubernetes objects in this file');
  if (input.tool !== undefined) return error(input.path, helmChartReason(input.path));
  if (files === 0 && skipped === 0) return error(input.path, 'no .yaml, .yml or .json files in this directory');
  return error(input.path, `no Kubernetes objects in this directory (${skipped} ${skipped === 1 ? 'file or document' : 'files or documents'} skipped, listed in the summary)`);
}

/**
 * The first pass: the Namespaces and network policies of the input, as /mutate leaves them; returns the
 * Namespaces' lookup (the last definition of one wins, as after `kubectl apply`) and adds both to
 * `network`. Documents that mention neither `Namespace` nor `NetworkPolicy` (every policy kind
 * network-isolation reads has it in its name) are not parsed.
 */
async function contextOfInput(run: CheckRun, network: InputNetworkObjects): Promise<NamespaceLookup> {
  const namespaces: KubeObject[] = [];
  let uid = 0;
  for (const input of run.inputs) {
    for (const item of input.items) {
      if (item.type !== 'stdin' && item.type !== 'file') continue;
      const name = item.type === 'stdin' ? STDIN_NAME : item.name;
      try {
        for await (const chunk of chunksOf(run.open(item))) {
          if (!chunk.text.includes('Namespace') && !chunk.text.includes('NetworkPolicy')) continue;
          const parsed = parseChunk(name, chunk, 0, { skipNonObjects: item.type === 'file' && item.walked });
          for (const document of parsed.documents) {
            const namespace = isKind(document.object, NAMESPACE_KIND);
            if (!namespace && !isNetworkPolicyKind(document.object)) continue;
            const admitted = admit(document, run.options, uid++);
            if (!('object' in admitted)) continue;
            if (namespace) namespaces.push(admitted.object);
            network.add(admitted.object);
          }
          parsed.release();
        }
      } catch {
        // A file that cannot be read is reported when the second pass reaches it.
      }
    }
  }
  return namespacesFromObjects(namespaces);
}

/** Whether network-isolation reads this kind as a policy (NetworkPolicy, the Cilium, Calico and AdminNetworkPolicy kinds). */
function isNetworkPolicyKind(object: KubeObject): boolean {
  return typeof object.kind === 'string' && object.kind.includes('NetworkPolicy');
}

/** Replays text already read, in the pieces it came in; a read that failed fails again at the same point. */
async function* replay(pieces: readonly string[], failure: unknown): AsyncGenerator<string> {
  yield* pieces;
  if (failure !== undefined) throw failure;
}

/** Standard input and pipes, read now and held as text, so that both passes can read them. */
async function holdOnceReadable(run: CheckRun): Promise<Map<ReadableItem, AsyncIterable<string>>> {
  const held = new Map<ReadableItem, AsyncIterable<string>>();
  for (const input of run.inputs) {
    for (const item of input.items) {
      if (item.type !== 'stdin' && !(item.type === 'file' && item.once)) continue;
      const pieces: string[] = [];
      let failure: unknown;
      try {
        for await (const piece of run.open(item)) pieces.push(piece);
      } catch (error) {
        failure = error ?? new Error('read failed');
      }
      held.set(item, { [Symbol.asyncIterator]: () => replay(pieces, failure) });
    }
  }
  return held;
}

/** Counts for one file or argument: whether it gave anything to check. */
interface Tally {
  objects: number;
  errors: number;
}

/** Checks every input and reports as it goes; returns the summary the reporters were given at the end. */
export async function checkInputs(given: CheckRun): Promise<CheckSummary> {
  // One instant for the whole run: an exception expiring mid-run does not split the verdicts.
  const at = (given.options.now ?? Date.now)();
  const held = await holdOnceReadable(given);
  const run: CheckRun = { ...given, options: { ...given.options, now: () => at }, open: (item) => held.get(item) ?? given.open(item) };
  const network = new InputNetworkObjects();
  const namespaces = await contextOfInput(run, network);

  const summary: CheckSummary = { files: 0, resources: 0, enforce: 0, warn: 0, audit: 0, excepted: 0, errors: 0, skipped: 0 };
  const progress: CheckProgress = { objects: 0, read: 0 };
  let nextProgress = PROGRESS_EVERY;
  const tallies = new Map<string, Tally>();
  let uid = 0;

  const error = (entry: CheckError) => {
    summary.errors++;
    for (const reporter of run.reporters) reporter.error(entry);
  };
  const skipped = (entry: SkippedInput) => {
    summary.skipped++;
    for (const reporter of run.reporters) reporter.skipped(entry);
  };
  const document = (resources: CheckedResource[], errors: CheckError[]) => {
    summary.resources += resources.length;
    summary.errors += errors.length;
    for (const resource of resources) for (const result of resource.results) summary[result.mode]++;
    if (resources.length > 0 || errors.length > 0) for (const reporter of run.reporters) reporter.document(resources, errors);
  };

  /** Reads, judges and reports one file (or standard input); returns what it held. */
  const check = async (item: ReadableItem): Promise<Tally> => {
    const name = item.type === 'stdin' ? STDIN_NAME : item.name;
    const walked = item.type === 'file' && item.walked;
    const tally: Tally = { objects: 0, errors: 0 };
    let documentIndex = 0;
    let read = false;
    try {
      for await (const chunk of chunksOf(run.open(item))) {
        if (!read) {
          summary.files++;
          read = true;
        }
        const parsed = parseChunk(name, chunk, documentIndex, { skipNonObjects: walked });
        documentIndex += parsed.documentCount;
        for (const entry of parsed.skipped) skipped(entry);
        // The objects are reported in batches, so that a List of many objects (one document) does not
        // hold all their findings; the document's own problems go with the batch they come before.
        const problems = parsed.problems;
        let nextProblem = 0;
        let resources: CheckedResource[] = [];
        let errors: CheckError[] = [];
        const flush = async (before: { line: number; column: number } | undefined) => {
          while (nextProblem < problems.length && (before === undefined || byPlace<{ line: number | null; column: number | null }>(problems[nextProblem] as CheckError, before) < 0)) errors.push(problems[nextProblem++] as CheckError);
          tally.objects += resources.length;
          tally.errors += errors.length;
          document(resources, errors);
          progress.objects += resources.length;
          resources = [];
          errors = [];
          if (progress.objects >= nextProgress) {
            nextProgress = progress.objects + PROGRESS_EVERY;
            run.onProgress?.({ ...progress });
          }
          const wait = run.ready?.();
          if (wait) await wait;
        };
        for (const [index, manifest] of parsed.documents.entries()) {
          uid++;
          const admitted = admit(manifest, run.options, uid);
          errors.push(...admitted.errors);
          if ('object' in admitted) {
            const judged = await validate(admitted, namespaces, run.options, uid, network.source);
            resources.push(judged.resource);
            errors.push(...judged.errors);
          }
          const next = parsed.documents[index + 1];
          if (resources.length >= BATCH && next) await flush(next.position);
        }
        progress.read += chunk.text.length;
        await flush(undefined);
        parsed.release();
      }
    } catch (failure) {
      // A file that could not be opened was not read; one that failed part-way was.
      tally.errors++;
      error({ file: name, line: null, column: null, message: `cannot read: ${readFailure(failure)}` });
    }
    // An empty file was read all the same.
    if (!read && tally.errors === 0) summary.files++;
    return tally;
  };

  for (const input of run.inputs) {
    const tally: Tally = { objects: 0, errors: 0 };
    let files = 0;
    let skippedHere = 0;
    for (const item of input.items) {
      if (item.type === 'problem') {
        tally.errors++;
        error(item.problem);
      } else if (item.type === 'skipped') {
        skippedHere++;
        skipped(item.entry);
      } else if (item.type === 'again') {
        // Read for an earlier argument: what it held counts for this one too.
        const earlier = tallies.get(item.absolute);
        files++;
        tally.objects += earlier?.objects ?? 0;
        tally.errors += earlier?.errors ?? 0;
      } else {
        files++;
        const before = summary.skipped;
        const found = await check(item);
        skippedHere += summary.skipped - before;
        if (item.type === 'file') tallies.set(item.absolute, found);
        tally.objects += found.objects;
        tally.errors += found.errors;
      }
    }
    if (input.requireObjects && tally.objects === 0 && tally.errors === 0) error(nothingToCheck(input, files, skippedHere));
  }
  for (const reporter of run.reporters) reporter.end(summary);
  return summary;
}
