import { describe, expect, it } from 'vitest';
import { contains, covers, intersects, normalize, subtract, union } from './intervals.js';

describe('interval sets', () => {
  it('normalises: sorts, merges overlapping and touching intervals, drops empty ones', () => {
    expect(normalize([[5, 7], [1, 3], [3, 4], [10, 10], [6, 9]])).toEqual([[1, 4], [5, 9]]);
    expect(union([[1n, 3n]], [[3n, 5n]])).toEqual([[1n, 5n]]);
  });

  it('subtracts', () => {
    expect(subtract([[1, 100]], [[10, 20], [50, 60]])).toEqual([[1, 10], [20, 50], [60, 100]]);
    expect(subtract([[1, 10]], [[0, 100]])).toEqual([]);
    expect(subtract([[1, 10], [20, 30]], [[5, 25]])).toEqual([[1, 5], [25, 30]]);
    expect(subtract([[1, 10]], [])).toEqual([[1, 10]]);
  });

  it('answers covers, contains and intersects', () => {
    const set = normalize([[1, 10], [20, 30]]);
    expect(covers(set, [2, 9])).toBe(true);
    expect(covers(set, [5, 25])).toBe(false);
    expect(contains(set, 10)).toBe(false);
    expect(contains(set, 29)).toBe(true);
    expect(intersects(set, [10, 20])).toBe(false);
    expect(intersects(set, [9, 20])).toBe(true);
  });
});
