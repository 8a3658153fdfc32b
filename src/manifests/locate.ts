// From a finding's field path to the line and column of that field in the YAML source. The walk follows
// the parser's events (each carries its source offset): a mapping entry is located at its key, a list
// item at its first character. A path that leaves the document (a missing field) stops at the nearest
// field that exists, so "runAsNonRoot is not set" points at the securityContext, or the container.
import { EVENT_ID, SCALAR_STYLE, getScalarValue, type Event, type ScalarEvent } from 'js-yaml';
import type { PathSegment } from './field-path.js';

/** One-based line and column. */
export interface Position {
  line: number;
  column: number;
}

function firstSet(...offsets: number[]): number {
  let best = -1;
  for (const offset of offsets) if (offset >= 0 && (best === -1 || offset < best)) best = offset;
  return best;
}

/** Where a node starts in the source (its anchor or tag, when it has one), or -1 when it has no text. */
function nodeStart(event: Event | undefined): number {
  if (!event) return -1;
  switch (event.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return firstSet(event.anchorStart - 1, event.tagStart, event.start);
    case EVENT_ID.SCALAR: {
      const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
      const value = event.valueStart >= 0 && quoted ? event.valueStart - 1 : event.valueStart;
      return firstSet(event.anchorStart >= 0 ? event.anchorStart - 1 : -1, event.tagStart, value);
    }
    case EVENT_ID.ALIAS:
      return event.anchorStart >= 0 ? event.anchorStart - 1 : -1;
    default:
      return -1;
  }
}

/** The index just past the node that starts at `index`. */
function skipNode(events: readonly Event[], index: number): number {
  const event = events[index];
  if (!event || (event.type !== EVENT_ID.MAPPING && event.type !== EVENT_ID.SEQUENCE)) return index + 1;
  let depth = 0;
  for (let at = index; at < events.length; at++) {
    const type = events[at]?.type;
    if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE) depth++;
    else if (type === EVENT_ID.POP && --depth === 0) return at + 1;
  }
  return events.length;
}

/** The event index of each item of the sequences met so far, by the sequence's event index: for many lookups in one document. */
export type SequenceItems = Map<number, number[]>;

/** The index of the node at `segment` below the node at `index`, with the offset to report for it. */
function childOf(events: readonly Event[], source: string, index: number, segment: PathSegment, items?: SequenceItems): { index: number; offset: number } | undefined {
  const node = events[index];
  if (node?.type === EVENT_ID.MAPPING) {
    const wanted = String(segment);
    for (let at = index + 1; at < events.length && events[at]?.type !== EVENT_ID.POP; ) {
      const key = events[at];
      const value = skipNode(events, at);
      if (key?.type === EVENT_ID.SCALAR && getScalarValue(source, key as ScalarEvent) === wanted) {
        const offset = nodeStart(key);
        return { index: value, offset: offset >= 0 ? offset : nodeStart(events[value]) };
      }
      at = skipNode(events, value);
    }
    return undefined;
  }
  if (node?.type === EVENT_ID.SEQUENCE && typeof segment === 'number') {
    if (items) {
      // A List's items are located one after another: walking the sequence once for all of them keeps a
      // List of 100,000 objects linear rather than quadratic.
      let starts = items.get(index);
      if (!starts) {
        starts = [];
        for (let at = index + 1; at < events.length && events[at]?.type !== EVENT_ID.POP; at = skipNode(events, at)) starts.push(at);
        items.set(index, starts);
      }
      const at = starts[segment];
      return at === undefined ? undefined : { index: at, offset: nodeStart(events[at]) };
    }
    let count = 0;
    for (let at = index + 1; at < events.length && events[at]?.type !== EVENT_ID.POP; at = skipNode(events, at)) {
      if (count++ === segment) return { index: at, offset: nodeStart(events[at]) };
    }
  }
  return undefined;
}

/**
 * The offset of the deepest node on `segments` below the node at `rootIndex`: the key of the last
 * mapping entry found, or the start of the last list item found; the root's start when nothing matches.
 */
export function offsetOfPath(events: readonly Event[], source: string, rootIndex: number, segments: readonly PathSegment[], items?: SequenceItems): number {
  let index = rootIndex;
  let offset = nodeStart(events[rootIndex]);
  for (const segment of segments) {
    const child = childOf(events, source, index, segment, items);
    if (!child) break;
    index = child.index;
    if (child.offset >= 0) offset = child.offset;
  }
  return offset;
}

/** The one-based line and column of `offset` in `text`, counting from `firstLine` (zero-based). */
export function positionAt(text: string, offset: number, firstLine: number): Position {
  let line = firstLine;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line: line + 1, column: end - lineStart + 1 };
}

/** Where each line of a text starts, found once: many positions in one text cost a binary search each. */
export class LineIndex {
  #starts: number[] | undefined;

  constructor(
    private readonly text: string,
    private readonly firstLine: number,
  ) {}

  /** The one-based line and column of `offset`, as positionAt gives them. */
  position(offset: number): Position {
    const starts = (this.#starts ??= lineStarts(this.text));
    const end = Math.min(Math.max(offset, 0), this.text.length);
    // The last line that starts at or before `end`.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= end) low = middle;
      else high = middle - 1;
    }
    return { line: this.firstLine + low + 1, column: end - (starts[low] ?? 0) + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/**
 * The offset of the first mapping key that is itself a mapping or a list (`? [a, b]`, `{[a]: b}`), or -1.
 * The constructor refuses such a key but reports it at the start of the stream: this finds where it is.
 */
export function complexKeyOffset(events: readonly Event[]): number {
  const frames: { mapping: boolean; expectKey: boolean }[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      frames.pop();
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      frames.push({ mapping: false, expectKey: false });
      continue;
    }
    const parent = frames.at(-1);
    if (parent?.mapping) {
      const isKey = parent.expectKey;
      parent.expectKey = !isKey;
      if (isKey && (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE)) return nodeStart(event);
    }
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) frames.push({ mapping: event.type === EVENT_ID.MAPPING, expectKey: true });
  }
  return -1;
}
