import { describe, expect, it } from 'vitest';
import { DocumentSplitter } from './document-stream.js';
import { splitDocuments } from './split-documents.js';

const STREAMS = [
  'a: 1\n---\nb: 2\n...\n# c\n--- {c: 3}\n',
  '# Source: a\n---\n# Source: b\n---\napiVersion: v1\nkind: Pod\n---\n---\n...\n...\n',
  '%YAML 1.2\n---\na: 1\n--- |\n  text\n----\nnot: marker\n---',
  'a: "x --- y"\nb: |\n  ---\n---\r\nc: 1\r\n...\r\n---\r\n',
  '',
  '# only a comment',
  '---\n',
  '...\n---\n...',
];

/** The stream handed to the splitter in pieces cut at `sizes`, cycling. */
function split(stream: string, sizes: number[]) {
  const splitter = new DocumentSplitter();
  const chunks = [];
  for (let at = 0, n = 0; at < stream.length; n++) {
    const size = sizes[n % sizes.length] ?? 1;
    chunks.push(...splitter.push(stream.slice(at, at + size)));
    at += size;
  }
  chunks.push(...splitter.end());
  return chunks;
}

describe('DocumentSplitter', () => {
  it.each(STREAMS.map((stream) => [JSON.stringify(stream), stream] as const))('cuts %s as splitDocuments does, whatever the pieces', (_name, stream) => {
    const whole = splitDocuments(stream);
    for (const sizes of [[stream.length || 1], [1], [2], [3, 1, 7], [5, 11, 2], [64]]) {
      expect(split(stream, sizes), `pieces of ${sizes.join(',')}`).toEqual(whole);
    }
  });

  it('cuts a long generated stream the same way', () => {
    const stream = Array.from({ length: 500 }, (_, i) => `${i % 7 === 0 ? '# Source: x\n' : ''}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p-${i}}\n${i % 13 === 0 ? '...\n' : ''}`).join('');
    expect(split(stream, [4096])).toEqual(splitDocuments(stream));
    expect(split(stream, [97, 13])).toEqual(splitDocuments(stream));
  });
});
