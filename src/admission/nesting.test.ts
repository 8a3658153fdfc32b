import { describe, expect, it } from 'vitest';
import { jsonNestingTooDeepAt, MAX_NESTING_DEPTH, NestingScanner } from './nesting.js';

/** A small seeded generator: the same cases on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings that would fool a scanner that does not know JSON strings: brackets, escaped quotes, backslash runs, multi-byte characters. */
const TRICKY_STRINGS = ['[[[{{{', ']]]}}}', 'a"b', '\\', '\\\\"[', 'x\\"]]', '日本語[', '😀{', '', '"'];

function randomValue(random: () => number, depth: number): unknown {
  if (depth <= 0 || random() < 0.25) {
    const pick = random();
    if (pick < 0.5) return TRICKY_STRINGS[Math.floor(random() * TRICKY_STRINGS.length)];
    return pick < 0.75 ? Math.floor(random() * 1000) : null;
  }
  const size = 1 + Math.floor(random() * 3);
  if (random() < 0.5) return Array.from({ length: size }, () => randomValue(random, depth - 1));
  return Object.fromEntries(Array.from({ length: size }, (_, index) => [`${TRICKY_STRINGS[index % TRICKY_STRINGS.length]}${index}`, randomValue(random, depth - 1)]));
}

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf));
}

/** The value as nested arrays and objects `levels` deep at its deepest. */
function nestedTo(levels: number, random: () => number): unknown {
  let value: unknown = randomValue(random, 2);
  for (let level = depthOf(value); level < levels; level++) value = random() < 0.5 ? [value, 'x]'] : { 'k{': value };
  return value;
}

function feedInChunks(bytes: Buffer, random: () => number, limit: number): number | undefined {
  const scanner = new NestingScanner(limit);
  for (let start = 0; start < bytes.length; ) {
    const end = Math.min(bytes.length, start + 1 + Math.floor(random() * 7));
    const found = scanner.feed(bytes.subarray(start, end));
    if (found !== undefined) return found;
    start = end;
  }
  return undefined;
}

describe('NestingScanner', () => {
  it('finds exactly the values nested deeper than the limit, however the bytes are cut into chunks', () => {
    const random = seeded(13);
    for (let round = 0; round < 400; round++) {
      const limit = 1 + Math.floor(random() * 12);
      const value = nestedTo(Math.floor(random() * 16), random);
      const bytes = Buffer.from(JSON.stringify(value));
      const whole = jsonNestingTooDeepAt(bytes, limit);
      expect(whole !== undefined, `${bytes.toString()} at limit ${limit}`).toBe(depthOf(value) > limit);
      if (whole !== undefined) expect([91, 123]).toContain(bytes[whole]);
      expect(feedInChunks(bytes, random, limit), bytes.toString()).toBe(whole);
    }
  });

  it('admits MAX_NESTING_DEPTH levels and refuses one more at the bracket that opens it', () => {
    const at = (levels: number) => jsonNestingTooDeepAt(Buffer.from(`${'{"a":'.repeat(levels - 1)}[]${'}'.repeat(levels - 1)}`));
    expect(MAX_NESTING_DEPTH).toBe(100);
    expect(at(100)).toBeUndefined();
    expect(at(101)).toBe(5 * 100);
  });

  it('counts a chunk boundary right after a backslash inside a string', () => {
    const scanner = new NestingScanner(1);
    expect(scanner.feed(Buffer.from('["a\\'))).toBeUndefined();
    // The quote is escaped: the string goes on, and its bracket does not count.
    expect(scanner.feed(Buffer.from('"[", '))).toBeUndefined();
    expect(scanner.feed(Buffer.from('"b"] '))).toBeUndefined();
    expect(scanner.feed(Buffer.from('[['))).toBe(15);
  });
});

describe('NestingScanner counting arrays and objects', () => {
  it('counts what is opened, across chunks, never brackets inside strings, and refuses the first one over the cap', () => {
    const scanner = new NestingScanner(100, 5);
    expect(scanner.feed(Buffer.from('[{"a":"[[{{",'))).toBeUndefined();
    expect(scanner.feed(Buffer.from('"b":[[]]},'))).toBeUndefined();
    expect(scanner.containers).toBe(4);
    expect(scanner.feed(Buffer.from('{}'))).toBeUndefined();
    expect(scanner.containers).toBe(5);
    expect(scanner.tooMany).toBe(false);
    expect(scanner.feed(Buffer.from(',[]]'))).toBe(26);
    expect(scanner.tooMany).toBe(true);
  });

  it('counts without a cap when none is given', () => {
    const scanner = new NestingScanner();
    expect(scanner.feed(Buffer.from(`[${'[],'.repeat(1_000)}[]]`))).toBeUndefined();
    expect(scanner.containers).toBe(1_002);
  });
});
