// Sets of numbers as sorted, disjoint, half-open intervals [start, end). One implementation serves
// ports (numbers) and addresses (bigints, 128 bits for IPv6): it only compares bounds, never adds to
// them, so the same code works for both.

export type Bound = number | bigint;
export type Interval<T extends Bound> = readonly [start: T, end: T];
/** Sorted by start, disjoint and not touching: [1, 3) and [3, 5) are merged into [1, 5). */
export type IntervalSet<T extends Bound> = readonly Interval<T>[];

/** The union of any intervals, normalised. Empty intervals (start >= end) are dropped. */
export function normalize<T extends Bound>(intervals: Iterable<Interval<T>>): IntervalSet<T> {
  const sorted = [...intervals].filter(([start, end]) => start < end).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const result: [T, T][] = [];
  for (const [start, end] of sorted) {
    const last = result[result.length - 1];
    if (last && start <= last[1]) {
      if (end > last[1]) last[1] = end;
    } else {
      result.push([start, end]);
    }
  }
  return result;
}

export function union<T extends Bound>(...sets: IntervalSet<T>[]): IntervalSet<T> {
  return normalize(sets.flat());
}

/** `set` without anything in `removed`. */
export function subtract<T extends Bound>(set: IntervalSet<T>, removed: IntervalSet<T>): IntervalSet<T> {
  if (removed.length === 0) return set;
  const result: [T, T][] = [];
  for (const [start, end] of set) {
    let from = start;
    for (const [cutStart, cutEnd] of removed) {
      if (cutEnd <= from || cutStart >= end) continue;
      if (cutStart > from) result.push([from, cutStart]);
      if (cutEnd > from) from = cutEnd;
      if (from >= end) break;
    }
    if (from < end) result.push([from, end]);
  }
  return result;
}

/** Whether the set contains every number in [start, end). */
export function covers<T extends Bound>(set: IntervalSet<T>, [start, end]: Interval<T>): boolean {
  return set.some(([from, to]) => from <= start && to >= end);
}

export function contains<T extends Bound>(set: IntervalSet<T>, value: T): boolean {
  return set.some(([from, to]) => from <= value && value < to);
}

export function intersects<T extends Bound>(set: IntervalSet<T>, [start, end]: Interval<T>): boolean {
  return set.some(([from, to]) => from < end && to > start);
}
