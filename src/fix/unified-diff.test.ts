import { applyPatch, createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { unifiedDiff, type Segment } from './unified-diff.js';

/** What jsdiff prints for the whole file at once, the reference for the output's shape. */
function wholeFileDiff(name: string, segments: readonly Segment[]): string {
  const original = segments.map((segment) => segment.original).join('');
  const fixed = segments.map((segment) => segment.fixed).join('');
  return original === fixed ? '' : createTwoFilesPatch(`a/${name}`, `b/${name}`, original, fixed, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
}

const deployment = (name: string, fixed: boolean) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: app   # the app',
    '          image: nginx:1.27',
    ...(fixed ? ['          securityContext:', '            allowPrivilegeEscalation: false'] : []),
    '        - name: sidecar',
    '          image: envoy:1.30',
    ...(fixed ? ['      securityContext:', '        runAsNonRoot: true'] : []),
    '',
  ].join('\n');

const documents = (count: number, changed: (index: number) => boolean): Segment[] =>
  Array.from({ length: count }, (_, index) => {
    const separator = index === 0 ? '' : '---\n';
    return { original: separator + deployment(`web-${index}`, false), fixed: separator + deployment(`web-${index}`, changed(index)) };
  });

describe('unifiedDiff', () => {
  const cases: Array<[string, Segment[]]> = [
    ['one document', documents(1, () => true)],
    ['every document changed', documents(5, () => true)],
    ['every other document', documents(6, (index) => index % 2 === 0)],
    ['a change at the end of one document and the start of the next', [
      { original: 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n', fixed: 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\n' },
      { original: '---\nx: 1\ny: 2\nz: 3\nw: 4\nv: 5\n', fixed: '---\nx: 0\ny: 2\nz: 3\nw: 4\nv: 5\n' },
    ]],
    ['no newline at the end of the file', [
      { original: 'a: 1\n', fixed: 'a: 1\n' },
      { original: '---\nb: 2\nc: 3', fixed: '---\nb: 2\nb2: 3\nc: 3' },
    ]],
    ['a changed last line without a newline', [{ original: 'a: 1\nb: 2', fixed: 'a: 1\nb: 3' }]],
    ['nothing changed', documents(3, () => false)],
  ];

  it.each(cases)('%s: the same diff as jsdiff prints for the whole file, and it applies', (_, segments) => {
    const diff = unifiedDiff('deploy.yaml', segments);
    expect(diff).toBe(wholeFileDiff('deploy.yaml', segments));
    const original = segments.map((segment) => segment.original).join('');
    const fixed = segments.map((segment) => segment.fixed).join('');
    if (diff !== '') expect(applyPatch(original, diff)).toBe(fixed);
  });

  // Speed is not asserted here; at about this size a whole-file Myers diff took minutes.
  it('diffs 3,000 changed documents of one file into 3,000 hunks that apply', () => {
    const segments = documents(3_000, () => true);
    const diff = unifiedDiff('many.yaml', segments);
    expect(diff.match(/^@@ /gm)).toHaveLength(3_000);
    expect(applyPatch(segments.map((segment) => segment.original).join(''), diff)).toBe(segments.map((segment) => segment.fixed).join(''));
  });
});
