// A YAML stream cut into its documents before parsing, so that one broken document is reported on its
// own and the others are still checked (a parser stops at the first error of a stream). The cut is
// exact: YAML forbids `---` and `...` at the start of a line inside any node, so such a line always
// starts (`---`) or ends (`...`) a document.

export interface DocumentChunk {
  /** The document's text, from its `---` line (when it has one) up to the next document. */
  text: string;
  /** Zero-based line of the stream on which `text` starts. */
  line: number;
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
/** Text with nothing but blank lines, comments and directives (`%YAML`, `%TAG`). */
const PREAMBLE = /^(?:[ \t]*(?:#[^\n]*)?\r?\n|%[^\n]*\n)*(?:[ \t]*(?:#[^\n]*)?|%[^\n]*)$/;

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', from); index !== -1 && index < to; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/** The stream's document chunks, in order. Chunks holding only comments or blank lines are kept (the parser skips them). */
export function splitDocuments(stream: string): DocumentChunk[] {
  const cuts: number[] = [0];
  for (const match of stream.matchAll(MARKER)) {
    if (match[0] === '---') cuts.push(match.index);
    else {
      // `...` closes the document: the cut goes after its line.
      const end = stream.indexOf('\n', match.index);
      cuts.push(end === -1 ? stream.length : end + 1);
    }
  }
  cuts.push(stream.length);

  const chunks: DocumentChunk[] = [];
  let line = 0;
  let previous = 0;
  let pending: number | undefined;
  for (let index = 0; index < cuts.length - 1; index++) {
    const start = pending ?? cuts[index] ?? 0;
    const end = cuts[index + 1] ?? stream.length;
    if (end <= start) continue;
    // Comments and directives before a `---` belong to the document it starts.
    if (index < cuts.length - 2 && PREAMBLE.test(stream.slice(start, end))) {
      pending = start;
      continue;
    }
    pending = undefined;
    line += countNewlines(stream, previous, start);
    previous = start;
    chunks.push({ text: stream.slice(start, end), line });
  }
  return chunks;
}
