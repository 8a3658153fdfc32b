// A YAML stream cut into documents as it arrives, so that a checker holds one document at a time rather
// than the whole input: the cut splitDocuments makes on a whole string, made on text that comes in
// pieces (a file read in blocks, standard input). A cut needs the whole line it is on, so a partial last
// line waits for the next piece.
import type { DocumentChunk } from './split-documents.js';

/** A `---` or `...` line: the characters after the marker must be known before deciding. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
/** Text with nothing but blank lines, comments and directives (`%YAML`, `%TAG`). */
const PREAMBLE = /^(?:[ \t]*(?:#[^\n]*)?\r?\n|%[^\n]*\n)*(?:[ \t]*(?:#[^\n]*)?|%[^\n]*)$/;

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', from); index !== -1 && index < to; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

export class DocumentSplitter {
  /** Text not yet handed out as a chunk, starting at the current document's first character. */
  #buffer = '';
  /** Where in #buffer the search for the next marker resumes: everything before it has been looked at. */
  #scanned = 0;
  /** The stream line on which #buffer starts. */
  #line = 0;

  /** Adds a piece of the stream; returns the documents it completed. */
  push(text: string): DocumentChunk[] {
    this.#buffer += text;
    // Only whole lines can be judged: a marker's line must end (or the stream) before it counts.
    const complete = this.#buffer.lastIndexOf('\n') + 1;
    return this.#cut(complete, false);
  }

  /** The stream has ended: returns the last document(s). */
  end(): DocumentChunk[] {
    const chunks = this.#cut(this.#buffer.length, true);
    if (this.#buffer.length > 0) chunks.push(this.#take(this.#buffer.length));
    return chunks;
  }

  /** Cuts the documents that end before `limit` (the end of the last whole line), or all at the end. */
  #cut(limit: number, atEnd: boolean): DocumentChunk[] {
    const chunks: DocumentChunk[] = [];
    let from = this.#scanned;
    for (;;) {
      MARKER.lastIndex = from;
      const match = MARKER.exec(this.#buffer);
      // None, or one on the last, unfinished line: `---` could still become `----`.
      if (match === null || (match.index >= limit && !atEnd)) break;
      const at = match.index;
      // `---` starts a document: the cut goes before it. `...` ends one: the cut goes after its line.
      const lineEnd = this.#buffer.indexOf('\n', at);
      const cut = match[0] === '---' ? at : lineEnd === -1 ? this.#buffer.length : lineEnd + 1;
      // Nothing before the cut, or only comments and directives: they belong to the document `---` starts.
      if (cut === 0 || (match[0] === '---' && PREAMBLE.test(this.#buffer.slice(0, cut)))) {
        from = at + 3;
        continue;
      }
      chunks.push(this.#take(cut));
      limit -= cut;
      from = match[0] === '---' ? 3 : 0;
    }
    this.#scanned = Math.max(0, Math.min(limit, this.#buffer.length));
    return chunks;
  }

  /** Hands out #buffer up to `end` as a chunk. */
  #take(end: number): DocumentChunk {
    const text = this.#buffer.slice(0, end);
    const chunk = { text, line: this.#line };
    this.#line += countNewlines(text, 0, text.length);
    this.#buffer = this.#buffer.slice(end);
    return chunk;
  }
}
