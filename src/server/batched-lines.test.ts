import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedLines } from './batched-lines.js';

function collecting() {
  const chunks: string[] = [];
  return { chunks, target: { write: (chunk: string) => chunks.push(chunk) } };
}

describe('BatchedLines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands lines on in one chunk, in order, once the batch reaches its size', () => {
    const { chunks, target } = collecting();
    const lines = new BatchedLines(target, { maxChars: 30, maxDelayMs: 1_000 });
    lines.write('one: 0123456789\n');
    expect(chunks).toEqual([]);
    lines.write('two: 0123456789\n');
    expect(chunks).toEqual(['one: 0123456789\ntwo: 0123456789\n']);
    lines.write('three\n');
    expect(chunks).toHaveLength(1);
  });

  it('hands a small batch on after the delay, counted from its first line', () => {
    vi.useFakeTimers();
    const { chunks, target } = collecting();
    const lines = new BatchedLines(target, { maxChars: 4096, maxDelayMs: 200 });
    lines.write('a\n');
    vi.advanceTimersByTime(150);
    lines.write('b\n');
    expect(chunks).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(chunks).toEqual(['a\nb\n']);
    vi.advanceTimersByTime(1_000);
    expect(chunks).toEqual(['a\nb\n']);
  });

  it("drains on flush, then waits for the target's own flush", () => {
    const { chunks, target } = collecting();
    const order: string[] = [];
    const lines = new BatchedLines({ ...target, flush: (done) => (order.push(`target flushed after ${chunks.length} chunk(s)`), done()) });
    lines.write('last words\n');
    lines.flush(() => order.push('flushed'));
    expect(chunks).toEqual(['last words\n']);
    expect(order).toEqual(['target flushed after 1 chunk(s)', 'flushed']);
  });
});
