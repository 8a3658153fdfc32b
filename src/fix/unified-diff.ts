// The unified diff `policygate fix --diff` prints, built document by document. A line diff of a whole
// file costs time in proportion to its length times the number of changed lines (Myers' algorithm,
// which jsdiff implements), and fix changes a few lines in every document: 1,000 Deployments in one
// file took over two minutes. The fixed text is the original with each document edited in place, so
// each changed document is diffed on its own and the results are laid end to end; the hunks are then
// cut from the whole, so that they look exactly as a diff of the whole file would have them: three
// lines of context, hunks closer than that merged, across document boundaries too.
import { diffLines } from 'diff';

/** One document of a file as read and as fixed. */
export interface Segment {
  original: string;
  fixed: string;
}

type Mark = ' ' | '-' | '+';

interface Line {
  mark: Mark;
  text: string;
  /** The last line of its side of the file, without a newline after it. */
  noNewline: boolean;
}

function linesOf(text: string, mark: Mark, endsFile: boolean, into: Line[]): void {
  if (text === '') return;
  const parts = text.split('\n');
  const last = parts.pop() as string;
  for (const part of parts) into.push({ mark, text: part, noNewline: false });
  // A text that does not end in a newline can only be the end of the file.
  if (last !== '') into.push({ mark, text: last, noNewline: endsFile });
}

/** Every line of the file, each marked kept, removed or added. */
function markedLines(segments: readonly Segment[]): Line[] {
  const lines: Line[] = [];
  segments.forEach((segment, index) => {
    const endsFile = index === segments.length - 1;
    if (segment.original === segment.fixed) {
      linesOf(segment.original, ' ', endsFile, lines);
      return;
    }
    for (const change of diffLines(segment.original, segment.fixed)) {
      linesOf(change.value, change.added ? '+' : change.removed ? '-' : ' ', endsFile, lines);
    }
  });
  return lines;
}

function range(start: number, count: number): string {
  // As diff writes it: an empty side names the line before it; a count of one is left out.
  const from = count === 0 ? start - 1 : start;
  return count === 1 ? `${from}` : `${from},${count}`;
}

/** A unified diff of the file (`--- a/NAME`, `+++ b/NAME`, hunks); empty when nothing changed. */
export function unifiedDiff(name: string, segments: readonly Segment[], context = 3): string {
  const lines = markedLines(segments);
  const changed: number[] = [];
  lines.forEach((line, index) => {
    if (line.mark !== ' ') changed.push(index);
  });
  if (changed.length === 0) return '';
  let out = `--- a/${name}\n+++ b/${name}\n`;
  // Old and new line numbers (1-based) of each line, counted once, left to right.
  let oldLine = 1;
  let newLine = 1;
  let walked = 0;
  const advanceTo = (index: number) => {
    for (; walked < index; walked++) {
      const mark = (lines[walked] as Line).mark;
      if (mark !== '+') oldLine++;
      if (mark !== '-') newLine++;
    }
  };
  let group = 0;
  while (group < changed.length) {
    let last = group;
    while (last + 1 < changed.length && (changed[last + 1] as number) - (changed[last] as number) - 1 <= 2 * context) last++;
    const start = Math.max(0, (changed[group] as number) - context);
    const end = Math.min(lines.length, (changed[last] as number) + context + 1);
    advanceTo(start);
    let oldCount = 0;
    let newCount = 0;
    let body = '';
    for (let index = start; index < end; index++) {
      const line = lines[index] as Line;
      if (line.mark !== '+') oldCount++;
      if (line.mark !== '-') newCount++;
      body += `${line.mark}${line.text}\n`;
      if (line.noNewline) body += '\\ No newline at end of file\n';
    }
    out += `@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@\n${body}`;
    group = last + 1;
  }
  return out;
}
