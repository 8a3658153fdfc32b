// One file's text → the Kubernetes objects in it, each able to say where a field sits in the source.
// Multi-document YAML, JSON, and `kind: List` (or any `*List` with `items`) are read as kubectl reads
// them. Empty documents are skipped. A document that does not parse, or is not an object with an
// apiVersion and a kind, is an input problem with its line; the file's other documents still count.
import { EVENT_ID, YAMLException, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import type { CheckError, SkippedInput } from '../report/types.js';
import type { KubeObject } from '../rules/types.js';
import { fieldPathSegments, type PathSegment } from './field-path.js';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from '../admission/nesting.js';
import { isNestingError, KUBERNETES_YAML_SCHEMA } from './kubernetes-yaml.js';
import { complexKeyOffset, LineIndex, offsetOfPath, positionAt, type Position, type SequenceItems } from './locate.js';
import { splitDocuments, type DocumentChunk } from './split-documents.js';
import { isRecord } from '../rules/is-record.js';

export interface ManifestDocument {
  file: string;
  /** Zero-based index of the YAML document in its file. */
  document: number;
  /** Where the object sits in its document: `[]`, or `['items', 3]` in a List. */
  itemPath: readonly PathSegment[];
  object: KubeObject;
  /** Where the object starts. */
  position: Position;
  /** Where a field of the object is, given as a finding's path; a missing field gives its nearest existing ancestor. */
  locate(path: string): Position;
}

/** A problem with the input (a file that cannot be read, a document that is not an object): one of the report's input errors. */
export type InputProblem = CheckError;

export interface ParsedFile {
  documents: ManifestDocument[];
  problems: InputProblem[];
  /** With `skipNonObjects`: the documents that are not Kubernetes objects at all, with their line. */
  skipped: SkippedInput[];
}

export interface ParseOptions {
  /**
   * Skip, rather than report, a document that is a list or a mapping with neither apiVersion nor kind:
   * the configuration files and data a directory walk meets. A document with one of the two, or one
   * spelled in another case (`apiversion`), is still a problem: that is a manifest with a mistake.
   */
  skipNonObjects?: boolean;
}

/** Aliases per document: enough for any hand-written anchors, too few for an alias bomb. */
const MAX_ALIASES = 10_000;

/** The nesting limit of every reader (src/admission/nesting.ts), in js-yaml's count, which includes the document. */
const PARSER_OPTIONS = { maxDepth: MAX_NESTING_DEPTH + 1 };

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

/** Why a value is not a Kubernetes object, or undefined when it is one. */
function notAnObjectReason(value: unknown): string | undefined {
  if (!isRecord(value)) return `not a Kubernetes object: the document is ${describe(value)}, not a mapping with apiVersion and kind`;
  const missing = (['apiVersion', 'kind'] as const).filter((field) => typeof value[field] !== 'string' || value[field] === '');
  if (missing.length > 0) return `not a Kubernetes object: ${missing.map((field) => `"${field}"`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing or not a string`;
  // The API server refuses such an object; judged anyway, its name and namespace would be lost.
  if (value.metadata !== undefined && value.metadata !== null && !isRecord(value.metadata)) return `not a Kubernetes object: "metadata" is ${describe(value.metadata)}, not a mapping`;
  return undefined;
}

/** Why a document is not even meant as a Kubernetes object, or undefined when it may be one. */
function notMeantAsObject(value: unknown): string | undefined {
  if (Array.isArray(value)) return 'a list, not a Kubernetes object';
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value).map((key) => key.toLowerCase());
  if (keys.includes('apiversion') || keys.includes('kind')) return undefined;
  return 'neither apiVersion nor kind: not a Kubernetes object';
}

/** kubectl's lists: `kind: List`, or any `…List` kind whose `items` is a list. */
function isList(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

/** The constructor reports a complex key at the stream's start; the events say where the key is. */
const COMPLEX_KEY = 'complex keys';

function yamlProblem(file: string, chunk: DocumentChunk, error: unknown, events: readonly Event[] | undefined): InputProblem {
  if (error instanceof YAMLException) {
    const keyOffset = events && error.reason.includes(COMPLEX_KEY) ? complexKeyOffset(events) : -1;
    const mark = keyOffset >= 0 ? positionAt(chunk.text, keyOffset, 0) : error.mark ? { line: error.mark.line + 1, column: error.mark.column + 1 } : undefined;
    const message = isNestingError(error as unknown) ? nestingTooDeepMessage() : `invalid YAML: ${error.reason}`;
    return { file, line: chunk.line + (mark?.line ?? 1), column: mark?.column ?? null, message };
  }
  return { file, line: chunk.line + 1, column: null, message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` };
}

/** The events of one chunk, parsed again when a finding needs a position (they are not kept meanwhile). */
class ChunkSource {
  #events: Event[] | undefined;
  #documentRoots: number[] | undefined;
  #items: SequenceItems = new Map();
  #lines: LineIndex | undefined;
  constructor(
    readonly chunk: DocumentChunk,
    events: Event[],
  ) {
    this.#events = events;
  }

  /** Forget the events until a position is asked for: thousands of documents should not hold them all. */
  release(): void {
    this.#events = undefined;
    this.#documentRoots = undefined;
    this.#items = new Map();
    this.#lines = undefined;
  }

  get events(): Event[] {
    this.#events ??= parseEvents(this.chunk.text, PARSER_OPTIONS);
    return this.#events;
  }

  /** Index of the root node event of the chunk's n-th document. */
  root(document: number): number {
    if (!this.#documentRoots) {
      this.#documentRoots = [];
      this.events.forEach((event, index) => {
        if (event.type === EVENT_ID.DOCUMENT) this.#documentRoots?.push(index + 1);
      });
    }
    return this.#documentRoots[document] ?? 0;
  }

  position(document: number, segments: readonly PathSegment[]): Position {
    const offset = offsetOfPath(this.events, this.chunk.text, this.root(document), segments, this.#items);
    this.#lines ??= new LineIndex(this.chunk.text, this.chunk.line);
    return this.#lines.position(offset);
  }
}

/** One chunk's documents, problems and skips; its parser events are kept until `release()`. */
export interface ParsedChunk extends ParsedFile {
  /** How many YAML documents the chunk held (empty ones and broken ones included). */
  documentCount: number;
  /** Forgets the parser events: a position asked for later parses the chunk again. */
  release(): void;
}

/**
 * The objects of one document chunk (see split-documents.ts). `firstDocument` is the index in its file
 * of the chunk's first document. Positions are computed from the parser's events while they are kept,
 * so a caller that judges the objects at once and then releases the chunk parses it once.
 */
export function parseChunk(file: string, chunk: DocumentChunk, firstDocument: number, options: ParseOptions = {}): ParsedChunk {
  const parsed: ParsedChunk = { documents: [], problems: [], skipped: [], documentCount: 1, release: () => undefined };
  let values: unknown[];
  let source: ChunkSource;
  let events: Event[] | undefined;
  try {
    events = parseEvents(chunk.text, PARSER_OPTIONS);
    values = constructFromEvents(events, { source: chunk.text, schema: KUBERNETES_YAML_SCHEMA, maxAliases: MAX_ALIASES });
    source = new ChunkSource(chunk, events);
  } catch (error) {
    parsed.problems.push(yamlProblem(file, chunk, error, events));
    return parsed;
  }
  parsed.documentCount = values.length;
  parsed.release = () => source.release();
  values.forEach((value, inChunk) => {
    const document = firstDocument + inChunk;
    if (value === null || value === undefined) return;
    const notMeant = options.skipNonObjects ? notMeantAsObject(value) : undefined;
    if (notMeant !== undefined) {
      parsed.skipped.push({ file, line: source.position(inChunk, []).line, reason: notMeant });
      return;
    }
    const add = (object: unknown, itemPath: readonly PathSegment[]): void => {
      const position = source.position(inChunk, itemPath);
      const reason = notAnObjectReason(object);
      if (reason !== undefined || !isRecord(object)) {
        const where = itemPath.length > 0 ? `${formatItemPath(itemPath)}: ` : '';
        parsed.problems.push({ file, line: position.line, column: position.column, message: `${where}${reason ?? 'not a Kubernetes object'}` });
        return;
      }
      if (isList(object)) {
        const items = object.items as unknown[];
        const itemKind = object.kind === 'List' ? undefined : (object.kind as string).slice(0, -'List'.length);
        items.forEach((item, index) => {
          // A typed list (`PodList`) may leave its items' apiVersion and kind implicit.
          const typed = isRecord(item) && itemKind && item.kind === undefined ? { apiVersion: object.apiVersion, kind: itemKind, ...item } : item;
          add(typed, [...itemPath, 'items', index]);
        });
        return;
      }
      // One field is often named by several findings (a restricted failure raised as warn and audit).
      const located = new Map<string, Position>();
      parsed.documents.push({
        file,
        document,
        itemPath,
        object: object as KubeObject,
        position,
        locate: (path) => {
          let found = located.get(path);
          if (found === undefined) {
            found = source.position(inChunk, [...itemPath, ...fieldPathSegments(path)]);
            located.set(path, found);
          }
          return found;
        },
      });
    };
    add(value, []);
  });
  return parsed;
}

/** Every object of a file's text. Positions asked for later parse their chunk again. */
export function parseManifests(file: string, text: string, options: ParseOptions = {}): ParsedFile {
  const parsed: ParsedFile = { documents: [], problems: [], skipped: [] };
  let documentIndex = 0;
  for (const chunk of splitDocuments(text)) {
    const result = parseChunk(file, chunk, documentIndex, options);
    documentIndex += result.documentCount;
    parsed.documents.push(...result.documents);
    parsed.problems.push(...result.problems);
    parsed.skipped.push(...result.skipped);
    result.release();
  }
  return parsed;
}

function formatItemPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text;
}
