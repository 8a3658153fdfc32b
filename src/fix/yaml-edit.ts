// Applies a fixer's JSON Patch to the source text of one YAML (or JSON) document, as a person would
// edit it. The `yaml` package's document model says where every node, key and comment is (exact
// source offsets); the edit adds or changes only the text of the new or changed fields and copies every
// other byte as it was, so comments above, beside and inside the changed maps, key order, quoting,
// flow style, anchors, blank lines, CRLF line endings and JSON's indentation all stay.
//
// Where new text goes:
// - a new key in a block map: after the map's last entry, or in alphabetical place when every map of
//   the document has its keys in alphabetical order (kubectl's output, and PSA's fixtures, are written
//   so; one map in order could be chance); at the map's own indentation, nested maps one indentation step deeper, lists indented as the file's are;
// - a new key in a flow map (`{app: web}`) or a JSON object: after its last entry, on the same line for
//   a map on one line, on a line of its own for a map over several lines (JSON);
// - a key that is there with no value (`securityContext:` or `securityContext: null`): its value;
// - a new list item: after the last item, quoted as the last item is.
//
// Aliases: an edit inside an anchored node (`&defaults`) changes every alias of it (`*defaults`), and a
// value found through a merge key (`<<: *defaults`) sits in the anchored node. Such an edit is marked
// `shared`; the caller keeps it only when the document, read again, is exactly what the patch asked for
// in every place the anchor is used (see fix-manifests.ts). A key added to a map that merges others
// is added to that map itself, which changes nothing else.
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { isRecord } from '../rules/is-record.js';
import { parseJsonPointer } from '../rules/json-pointer.js';
import type { PatchOperation } from '../rules/types.js';
import { blockEntry, blockLines, inlineValue, multilineJson, spaces, yamlScalar, type SourceStyle } from './render.js';

type Tokens = readonly (string | number)[];

interface Splice {
  start: number;
  end: number;
  text: string;
  /**
   * Among splices at one offset, lower first: the deeper column first (a nested map ends where the maps
   * around it end, and its new lines go before theirs), then the key (alphabetical places), then the order planned.
   */
  order: readonly [depth: number, key: string, sequence: number];
}

/** One operation as planned: its splices, or why it cannot be made in this document. */
export interface PlannedEdit {
  operation: PatchOperation;
  /** Made through an anchor that is aliased, or a merge key: it changes more than one place. */
  shared: boolean;
  /** The same edit as an earlier one (the same node reached through an alias): made once. */
  duplicate: boolean;
  splices: Splice[];
  refused?: string;
}

type ParentNode = YAMLMap | YAMLSeq;

interface Resolved {
  node: Node | null;
  /** The map or list holding `node`, and the pair when it is a map entry. */
  parent?: ParentNode;
  pair?: Pair;
  shared: boolean;
}

const MERGE_KEY = '<<';

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key) && key.value !== null && key.value !== undefined) return String(key.value);
  return undefined;
}

function isNullScalar(node: unknown): boolean {
  return isScalar(node) && (node.value === null || node.value === undefined);
}

export class DocumentEditor {
  readonly #text: string;
  readonly #document: Document.Parsed;
  readonly #style: SourceStyle;
  /** The offsets of the text's line breaks, to find a line in a large document without rescanning it. */
  readonly #newlines: number[];
  /** Every map of the document lists its keys in alphabetical order (kubectl's output): new keys go in their place. */
  readonly #sorted: boolean;
  /** Anchored nodes that some alias uses: editing them edits every use. */
  readonly #aliased = new Set<Node>();
  #sequence = 0;
  /** The edits planned so far, by the node they change. */
  readonly #targets = new Map<unknown, Set<string>>();
  /** How many entries have been planned into each empty flow map or list. */
  readonly #emptyFlowInserts = new Map<ParentNode, number>();

  private constructor(text: string, document: Document.Parsed) {
    this.#text = text;
    this.#document = document;
    visit(document, {
      Alias: (_key, alias) => {
        const target = alias.resolve(document);
        if (target) this.#aliased.add(target);
      },
    });
    this.#newlines = newlinesOf(text);
    this.#style = detectStyle(text, document, this.#newlines);
    this.#sorted = keysInOrder(document);
  }

  /** An editor for `text`, which must hold one document that the `yaml` package reads without error; else the reason it cannot. */
  static open(text: string): DocumentEditor | string {
    const documents = parseAllDocuments(text, { uniqueKeys: false });
    if (!Array.isArray(documents) || documents.length !== 1) return 'the document cannot be edited: it is not a single YAML document';
    const [document] = documents;
    if (!document) return 'the document cannot be edited: it is empty';
    const error = document.errors[0];
    if (error) return `the document cannot be edited: ${error.message.split('\n')[0]}`;
    return new DocumentEditor(text, document);
  }

  get style(): SourceStyle {
    return this.#style;
  }

  /** Plans `operation`, whose path is relative to the object at `base` (a List item's `['items', 3]`). */
  plan(base: Tokens, operation: PatchOperation): PlannedEdit {
    const edit: PlannedEdit = { operation, shared: false, duplicate: false, splices: [] };
    const refuse = (reason: string): PlannedEdit => ({ ...edit, refused: reason });
    let tokens: (string | number)[];
    try {
      tokens = [...base, ...parseJsonPointer(operation.path)];
    } catch (error) {
      return refuse(error instanceof Error ? error.message : String(error));
    }
    const last = tokens.pop();
    if (last === undefined || operation.op === 'remove' || operation.op === 'test') return refuse(`unsupported operation ${operation.op} ${operation.path}`);
    const parent = this.#resolve(tokens);
    if (typeof parent === 'string') return refuse(parent);
    edit.shared = parent.shared;
    const holder = parent.node;

    if (isSeq(holder)) {
      if (operation.op !== 'add' || last !== '-') return refuse(`${operation.path}: only appending to a list is supported`);
      if (this.#seen(holder, '-', 'append', operation.value)) return { ...edit, duplicate: true };
      edit.splices = this.#appendItem(holder, operation.value);
      return edit;
    }
    if (!isMap(holder)) return refuse(`${operation.path}: the parent is not a map`);
    const key = String(last);
    const found = this.#findPair(holder, key, parent.shared);
    if (operation.op === 'replace' && found?.merged) {
      // The value comes from a merged map: a key of this map's own overrides it, and changes nothing else.
      if (this.#seen(holder, key, 'add', operation.value)) return { ...edit, duplicate: true };
      edit.splices = this.#insertPair(holder, key, operation.value);
      return edit;
    }
    if (operation.op === 'replace') {
      if (!found) return refuse(`${operation.path}: no such field to replace`);
      edit.shared ||= found.shared;
      if (this.#seen(found.pair, key, 'replace', operation.value)) return { ...edit, duplicate: true };
      const splice = this.#replaceValue(found.pair, found.map, operation.value);
      return typeof splice === 'string' ? refuse(splice) : { ...edit, splices: splice };
    }
    // add: into the map itself (a key found only through a merge key is overridden here, not there).
    if (this.#seen(holder, key, 'add', operation.value)) return { ...edit, duplicate: true };
    if (found && !found.merged) {
      if (!isNullScalar(found.pair.value) && found.pair.value !== null) return refuse(`${operation.path}: the field is already set`);
      const splice = this.#replaceValue(found.pair, holder, operation.value);
      return typeof splice === 'string' ? refuse(splice) : { ...edit, splices: splice };
    }
    edit.splices = this.#insertPair(holder, key, operation.value);
    return edit;
  }

  /** The text with the splices of `edits` made (refused and duplicate edits are skipped). */
  apply(edits: readonly PlannedEdit[]): string {
    const splices = edits.filter((edit) => !edit.refused && !edit.duplicate).flatMap((edit) => edit.splices);
    splices.sort((a, b) => a.start - b.start || compareOrder(a.order, b.order));
    // One pass, in order: a List of a thousand pods is one document with thousands of splices.
    const parts: string[] = [];
    let copied = 0;
    for (const splice of splices) {
      if (splice.start > copied) parts.push(this.#text.slice(copied, splice.start));
      parts.push(splice.text);
      copied = Math.max(copied, splice.end, splice.start);
    }
    parts.push(this.#text.slice(copied));
    return parts.join('');
  }

  /** Whether the same edit was already planned on the same node (reached again through an alias). */
  #seen(target: unknown, key: string, op: string, value: unknown): boolean {
    const edit = `${op}\u0000${key}\u0000${JSON.stringify(value)}`;
    const seen = this.#targets.get(target) ?? new Set<string>();
    if (seen.has(edit)) return true;
    this.#targets.set(target, seen.add(edit));
    return false;
  }

  #resolve(tokens: Tokens): Resolved | string {
    let current: Resolved = { node: this.#document.contents as Node | null, shared: false };
    for (const [index, token] of tokens.entries()) {
      const node = this.#follow(current);
      const where = `/${tokens.slice(0, index + 1).join('/')}`;
      if (isMap(node.node)) {
        const found = this.#findPair(node.node, String(token), node.shared);
        if (!found) return `${where}: no such field in the document`;
        current = { node: found.pair.value as Node | null, parent: found.map, pair: found.pair, shared: node.shared || found.shared };
      } else if (isSeq(node.node) && /^\d+$/.test(String(token))) {
        const seq = node.node;
        const item = seq.items[Number(token)];
        if (item === undefined) return `${where}: no such item in the document`;
        current = { node: item as Node | null, parent: seq, shared: node.shared };
      } else return `${where}: not found in the document`;
    }
    return this.#follow(current);
  }

  /** The node an alias stands for; anything inside an aliased anchor is shared. */
  #follow(resolved: Resolved): Resolved {
    let { node, shared } = resolved;
    if (isAlias(node)) {
      node = (node.resolve(this.#document) as Node | undefined) ?? null;
      shared = true;
    }
    if (node && this.#aliased.has(node)) shared = true;
    return { ...resolved, node, shared };
  }

  /** The entry for `key`: the map's own, else the first merged map's (`<<: *anchor`, `<<: [*a, *b]`). */
  #findPair(map: YAMLMap, key: string, shared: boolean): { pair: Pair; map: YAMLMap; merged: boolean; shared: boolean } | undefined {
    for (const item of map.items) if (isPair(item) && keyText(item) === key && key !== MERGE_KEY) return { pair: item, map, merged: false, shared };
    for (const item of map.items) {
      if (!isPair(item) || keyText(item) !== MERGE_KEY) continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const target = isAlias(source) ? source.resolve(this.#document) : source;
        if (!isMap(target)) continue;
        const found = this.#findPair(target, key, true);
        if (found) return { ...found, merged: true, shared: true };
      }
    }
    return undefined;
  }

  /** A splice whose new lines sit at `column` (deeper ones go first at one offset). */
  #splice(start: number, end: number, text: string, column = 0, key = ''): Splice {
    return { start, end, text, order: [-column, key, this.#sequence++] };
  }

  #insertPair(map: YAMLMap, key: string, value: unknown): Splice[] {
    const style = this.#style;
    const pairs = map.items.filter(isPair);
    if (map.flow) {
      const flowKey = this.#flowKey(pairs.at(-1), key);
      return this.#insertIntoFlow(map, (column) => this.#flowEntry(flowKey, value, column));
    }
    const first = pairs[0];
    if (!first || !first.key) return [this.#splice(rangeOf(map)[0], rangeOf(map)[0], blockEntry(key, value, this.#column(rangeOf(map)[0]), style))];
    const firstKey = first.key as Node;
    const column = this.#column(nodeStart(firstKey));
    // Beside entries whose values are written in flow style, a new map or list is written so too
    // (`{}` and `[]` say nothing: they are how anything empty is written).
    const inline = pairs.some((pair) => (isMap(pair.value) || isSeq(pair.value)) && pair.value.flow === true && pair.value.items.length > 0);
    const entry = blockEntry(key, value, column, style, inline);
    const keys = pairs.map(keyText);
    const sorted = this.#sorted && keys.every((each) => each !== undefined);
    const before = sorted ? keys.findIndex((each) => (each as string) > key) : -1;
    if (before === 0) {
      const start = nodeStart(firstKey);
      // Before the first key, on its line (after `- ` in a list), unless comments above it belong to it.
      if (!this.#commentAbove(start)) {
        return [this.#splice(start, start, `${entry.slice(column)}${spaces(column)}`, column, key)];
      }
    }
    const after = before > 0 ? pairs[before - 1] : before === 0 ? first : pairs.at(-1);
    const offset = this.#contentEnd(after as Pair);
    return [this.#splice(offset, offset, this.#atLineStart(offset, entry), column, sorted ? key : '')];
  }

  /** A key as the flow map's last key is written: double-quoted in JSON (or beside double-quoted keys). */
  #flowKey(last: Pair | undefined, key: string): string {
    const lastKey = last?.key;
    if (this.#style.json || (isScalar(lastKey) && lastKey.type === Scalar.QUOTE_DOUBLE)) return JSON.stringify(key);
    if (isScalar(lastKey) && lastKey.type === Scalar.QUOTE_SINGLE) return yamlScalar(key, "'");
    return yamlScalar(key);
  }

  /**
   * A new last entry of a flow map or list (`{a: 1}` → `{a: 1, b: 2}`): `render` writes it on one line
   * (no column) or, in JSON over several lines, from a column on a line of its own.
   */
  #insertIntoFlow(collection: ParentNode, render: (column?: number) => string): Splice[] {
    const style = this.#style;
    const open = rangeOf(collection)[0];
    const last = collection.items.at(-1);
    const lastNode = (isPair(last) ? ((last.value as Node | null) ?? (last.key as Node | null)) : (last as Node | null)) ?? undefined;
    if (!lastNode) {
      // An empty `{}` or `[]`: the first new entry goes right after the bracket, the next ones after a comma.
      const earlier = this.#emptyFlowInserts.get(collection) ?? 0;
      this.#emptyFlowInserts.set(collection, earlier + 1);
      if (!style.json) return [this.#splice(open + 1, open + 1, `${earlier > 0 ? ', ' : ''}${render()}`)];
      const column = this.#lineIndent(open) + style.indent;
      const entry = this.#splice(open + 1, open + 1, `${earlier > 0 ? ',' : ''}${style.eol}${spaces(column)}${render(column)}`);
      if (earlier > 0) return [entry];
      // The closing bracket's own line, after every entry inserted here.
      const closing = { ...this.#splice(open + 1, open + 1, `${style.eol}${spaces(column - style.indent)}`), order: [Number.MAX_SAFE_INTEGER, '', 0] as const };
      return [entry, closing];
    }
    const end = rangeOf(lastNode)[1];
    const lastStart = isPair(last) ? nodeStart(last.key as Node) : nodeStart(lastNode);
    if (this.#line(lastStart) === this.#line(open)) return [this.#splice(end, end, `, ${render()}`)];
    const column = this.#column(lastStart);
    return [this.#splice(end, end, `,${style.eol}${spaces(column)}${render(column)}`)];
  }

  /** `key: value` in a flow map or JSON object. */
  #flowEntry(key: string, value: unknown, column?: number): string {
    const json = this.#style.json;
    return `${key}: ${json && column !== undefined ? multilineJson(value, column, this.#style) : inlineValue(value, json)}`;
  }

  #appendItem(seq: YAMLSeq, value: unknown): Splice[] {
    const style = this.#style;
    const last = seq.items.at(-1) as Node | undefined;
    const quote = isScalar(last) ? (last.type === Scalar.QUOTE_DOUBLE ? '"' : last.type === Scalar.QUOTE_SINGLE ? "'" : undefined) : undefined;
    const scalar = (json: boolean) => (isRecord(value) || Array.isArray(value) ? inlineValue(value, json) : json ? JSON.stringify(value) : yamlScalar(value, quote));
    if (seq.flow || !last) {
      return this.#insertIntoFlow(seq, (column) => (style.json && column !== undefined ? multilineJson(value, column, style) : scalar(style.json)));
    }
    const column = this.#column(rangeOf(seq)[0]);
    const offset = this.#contentEnd(last);
    return [this.#splice(offset, offset, this.#atLineStart(offset, `${spaces(column)}- ${scalar(false)}${style.eol}`), column)];
  }

  /** The value of `pair` becomes `value`: a scalar in place, or a map or list where there was no value. */
  #replaceValue(pair: Pair, map: YAMLMap, value: unknown): Splice[] | string {
    const current = pair.value as Node | null;
    const style = this.#style;
    const isCollection = (isRecord(value) && Object.keys(value).length > 0) || (Array.isArray(value) && value.length > 0);
    if (current !== null && !isScalar(current)) return 'only a scalar value is replaced';
    if (map.flow || style.json || !isCollection) {
      const rendered = style.json ? (isCollection ? multilineJson(value, this.#lineIndent(nodeStart(pair.key as Node)), style) : inlineValue(value, true)) : inlineValue(value, false);
      if (current && rangeOf(current)[1] > rangeOf(current)[0]) return [this.#splice(rangeOf(current)[0], rangeOf(current)[1], rendered)];
      // `key:` with nothing after it.
      const at = current ? rangeOf(current)[0] : rangeOf(pair.key as Node)[1] + 1;
      return [this.#splice(at, at, ` ${rendered}`)];
    }
    // Block style: `key: null` loses ` null`; the map or list goes on the lines below the key.
    const keyColumn = this.#column(nodeStart(pair.key as Node));
    const splices: Splice[] = [];
    let end = rangeOf(pair.key as Node)[1];
    if (current) {
      end = rangeOf(current)[1];
      if (rangeOf(current)[1] > rangeOf(current)[0]) {
        let start = rangeOf(current)[0];
        while (start > 0 && (this.#text[start - 1] === ' ' || this.#text[start - 1] === '\t')) start--;
        splices.push(this.#splice(start, rangeOf(current)[1], ''));
      }
    }
    const offset = this.#lineEndAfter(end);
    const column = keyColumn + (Array.isArray(value) ? style.sequenceIndent : style.indent);
    splices.push(this.#splice(offset, offset, this.#atLineStart(offset, blockLines(value, column, style)), column));
    return splices;
  }

  /** Text inserted at `offset`: at the end of a file without a final line break, the break moves before it. */
  #atLineStart(offset: number, text: string): string {
    if (offset < this.#text.length || offset === 0 || this.#text.endsWith('\n')) return text;
    return `${this.#style.eol}${text.slice(0, -this.#style.eol.length)}`;
  }

  /** The offset of the line after the last line of `node`'s content (its comments beside it included). */
  #contentEnd(node: Pair | Node): number {
    if (isPair(node)) return this.#contentEnd(((node.value as Node | null) ?? (node.key as Node)) as Node);
    if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) return this.#contentEnd(node.items.at(-1) as Pair | Node);
    return this.#lineEndAfter(rangeOf(node)[1]);
  }

  #lineEndAfter(offset: number): number {
    if (offset > 0 && this.#text[offset - 1] === '\n') return offset;
    const newline = this.#text.indexOf('\n', offset);
    return newline === -1 ? this.#text.length : newline + 1;
  }

  #lineStart(offset: number): number {
    return this.#text.lastIndexOf('\n', offset - 1) + 1;
  }

  #line(offset: number): number {
    return lineOf(this.#newlines, offset);
  }

  #column(offset: number): number {
    return offset - this.#lineStart(offset);
  }

  /** The indentation of the line `offset` is on. */
  #lineIndent(offset: number): number {
    const start = this.#lineStart(offset);
    let at = start;
    while (this.#text[at] === ' ') at++;
    return at - start;
  }

  /** Whether the line above `offset`'s line is a comment, and `offset` starts its line's content. */
  #commentAbove(offset: number): boolean {
    const start = this.#lineStart(offset);
    if (this.#text.slice(start, offset).trim() !== '') return false;
    if (start === 0) return false;
    const above = this.#text.slice(this.#lineStart(start - 1), start).trim();
    return above.startsWith('#');
  }
}

function compareOrder(a: Splice['order'], b: Splice['order']): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
}

/** A parsed node's [start, value end, node end] offsets; the parser sets them on every node. */
function rangeOf(node: Node): readonly [number, number, number] {
  if (!node.range) throw new Error('a parsed YAML node without a source range');
  return node.range;
}

/** Where a node's text starts. */
function nodeStart(node: Node): number {
  return rangeOf(node)[0];
}

function newlinesOf(text: string): number[] {
  const offsets: number[] = [];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) offsets.push(at);
  return offsets;
}

/** The zero-based line of `offset`: how many line breaks come before it. */
function lineOf(newlines: readonly number[], offset: number): number {
  let low = 0;
  let high = newlines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((newlines[middle] as number) < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether the document has at least two maps of several keys, and every map's keys are in alphabetical order. */
function keysInOrder(document: Document.Parsed): boolean {
  let maps = 0;
  let ordered = true;
  visit(document, {
    Map: (_key, map) => {
      const keys = map.items.map((pair) => (isPair(pair) ? keyText(pair) : undefined));
      if (keys.length < 2) return;
      maps++;
      if (!keys.every((key, index) => key !== undefined && (index === 0 || (keys[index - 1] as string) < key))) {
        ordered = false;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return ordered && maps >= 2;
}

/** The document's line ending, indentation step and list indentation, from what it already holds. */
function detectStyle(text: string, document: Document.Parsed, newlines: readonly number[]): SourceStyle {
  const newline = text.indexOf('\n');
  const eol = newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
  const column = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const line = (offset: number) => lineOf(newlines, offset);
  const indents = new Map<number, number>();
  const sequenceIndents = new Map<number, number>();
  const count = (counts: Map<number, number>, value: number) => counts.set(value, (counts.get(value) ?? 0) + 1);
  visit(document, {
    Pair: (_key, pair) => {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key || !value || !(isMap(value) || isSeq(value))) return;
      const first = value.items[0];
      const firstNode = (isPair(first) ? first.key : first) as Node | null | undefined;
      if (!firstNode || line(rangeOf(firstNode)[0]) === line(rangeOf(key)[0])) return;
      if (isMap(value)) {
        const step = column(rangeOf(firstNode)[0]) - column(rangeOf(key)[0]);
        if (step > 0) count(indents, step);
      } else if (!value.flow) count(sequenceIndents, column(rangeOf(value)[0]) - column(rangeOf(key)[0]));
    },
  });
  const mostCommon = (counts: Map<number, number>, fallback: number) => [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? fallback;
  const indent = mostCommon(indents, 2);
  const json = isMap(document.contents) && document.contents.flow === true;
  return { eol, indent, sequenceIndent: Math.max(0, mostCommon(sequenceIndents, indent)), json };
}
