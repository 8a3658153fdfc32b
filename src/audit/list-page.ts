// A list page, parsed one item at a time from its bytes. `JSON.parse` of a whole page of 500 pods makes
// a string of about 1.5 MB (old space at once: too large for the young generation) and 500 objects that
// all live until the last one is judged, so each page ends up in the old generation and costs a full
// collection. Here the page's bytes are scanned once for where each item starts and ends (JSON's
// structure is ASCII, so a UTF-8 byte never looks like it), and each item is decoded and parsed only
// when the audit reaches it: it lives while it is judged and dies young.
import type { KubeObject } from '../rules/types.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The malformed JSON's position, for the error. */
class ListSyntaxError extends SyntaxError {
  constructor(what: string, at: number) {
    super(`${what} at byte ${at} of the list`);
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index just past the string that opens at `start` (a quote). */
function skipString(bytes: Uint8Array, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote === -1) throw new ListSyntaxError('unterminated string', start);
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/** The index just past the JSON value that starts at `start`. Only finds its end: JSON.parse judges its content. */
function skipValue(bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return skipString(bytes, start);
  let at = start;
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // A number, true, false or null: up to the next delimiter.
    while (at < bytes.length) {
      const byte = bytes[at] ?? 0;
      if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || isSpace(byte)) break;
      at++;
    }
    if (at === start) throw new ListSyntaxError('expected a value', start);
    return at;
  }
  let depth = 0;
  while (at < bytes.length) {
    const byte = bytes[at];
    if (byte === QUOTE) {
      at = skipString(bytes, at);
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
    else if ((byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) && --depth === 0) return at + 1;
    at++;
  }
  throw new ListSyntaxError('unterminated value', start);
}

function skipSpace(bytes: Uint8Array, start: number): number {
  let at = start;
  while (at < bytes.length && isSpace(bytes[at] ?? 0)) at++;
  return at;
}

function expect(bytes: Uint8Array, at: number, byte: number, what: string): void {
  if (bytes[at] !== byte) throw new ListSyntaxError(`expected ${what}`, at);
}

/** A list's items, parsed as they are iterated (each iteration parses them again). */
export class ListItems implements Iterable<KubeObject> {
  constructor(
    private readonly bytes: Uint8Array,
    /** Start and end of each item, in pairs. */
    private readonly ranges: Uint32Array,
    /** Filled into items that lack them, as the API server leaves them out of list items. */
    private readonly apiVersion: string,
    private readonly kind: string,
  ) {}

  get length(): number {
    return this.ranges.length / 2;
  }

  *[Symbol.iterator](): Iterator<KubeObject> {
    for (let index = 0; index < this.ranges.length; index += 2) {
      const item = JSON.parse(decoder.decode(this.bytes.subarray(this.ranges[index], this.ranges[index + 1]))) as unknown;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
      const object = item as KubeObject;
      object.apiVersion ??= this.apiVersion;
      object.kind ??= this.kind;
      yield object;
    }
  }
}

export interface ParsedList {
  /** The list's own fields but `items`, parsed (`metadata`, `kind`, ...). */
  fields: Record<string, unknown>;
  items: ListItems;
}

/**
 * Splits a list's JSON (`{"metadata": {...}, "items": [...]}`, keys in any order) into its fields and
 * its items' byte ranges. Throws a SyntaxError on anything that is not a JSON object, and when `items`
 * is missing or not an array.
 */
export function parseList(bytes: Uint8Array, apiVersion: string, kind: string): ParsedList {
  const fields: Record<string, unknown> = {};
  let ranges: number[] | undefined;
  let at = skipSpace(bytes, 0);
  expect(bytes, at, OPEN_OBJECT, '{');
  at = skipSpace(bytes, at + 1);
  if (bytes[at] !== CLOSE_OBJECT) {
    for (;;) {
      expect(bytes, at, QUOTE, 'a key');
      const keyEnd = skipString(bytes, at);
      const key = JSON.parse(decoder.decode(bytes.subarray(at, keyEnd))) as string;
      at = skipSpace(bytes, keyEnd);
      expect(bytes, at, COLON, ':');
      at = skipSpace(bytes, at + 1);
      if (key === 'items' && bytes[at] === OPEN_ARRAY) {
        ranges = [];
        at = skipSpace(bytes, at + 1);
        if (bytes[at] !== CLOSE_ARRAY) {
          for (;;) {
            const end = skipValue(bytes, at);
            ranges.push(at, end);
            at = skipSpace(bytes, end);
            if (bytes[at] === CLOSE_ARRAY) break;
            expect(bytes, at, COMMA, ', or ]');
            at = skipSpace(bytes, at + 1);
          }
        }
        at++;
      } else {
        const end = skipValue(bytes, at);
        fields[key] = JSON.parse(decoder.decode(bytes.subarray(at, end)));
        at = end;
      }
      at = skipSpace(bytes, at);
      if (bytes[at] === CLOSE_OBJECT) break;
      expect(bytes, at, COMMA, ', or }');
      at = skipSpace(bytes, at + 1);
    }
  }
  const after = skipSpace(bytes, at + 1);
  if (after !== bytes.length) throw new ListSyntaxError('unexpected data after the list', after);
  if (!ranges) throw new SyntaxError('the answer has no items array');
  return { fields, items: new ListItems(bytes, Uint32Array.from(ranges), apiVersion, kind) };
}
