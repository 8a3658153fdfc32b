// The text edits, case by case: exact output for each layout the golden files do not pin down.
import { describe, expect, it } from 'vitest';
import type { PatchOperation } from '../rules/types.js';
import { DocumentEditor } from './yaml-edit.js';

function edit(text: string, operations: PatchOperation[], base: (string | number)[] = []) {
  const editor = DocumentEditor.open(text);
  if (typeof editor === 'string') throw new Error(editor);
  const edits = operations.map((operation) => editor.plan(base, operation));
  return { text: editor.apply(edits), edits };
}

const add = (path: string, value: unknown): PatchOperation => ({ op: 'add', path, value });

describe('DocumentEditor', () => {
  it.each([
    {
      name: 'a new key after the last entry, nested maps one step deeper',
      text: 'spec:\n    containers: []\n',
      operations: [add('/spec/securityContext', { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })],
      expected: 'spec:\n    containers: []\n    securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n            type: RuntimeDefault\n',
    },
    {
      name: 'before the first key, on the line of a list item, in a sorted document',
      text: 'a:\n- x: 1\n  y: 2\nb:\n- z: 3\n  zz: 4\n',
      operations: [add('/b/0/c', true)],
      expected: 'a:\n- x: 1\n  y: 2\nb:\n- c: true\n  z: 3\n  zz: 4\n',
    },
    {
      name: 'after the first key when comments above it belong to it',
      text: 'a: 1\nb: 2\nm:\n  # about y\n  y: 1\n  z: 2\n',
      operations: [add('/m/x', 0)],
      expected: 'a: 1\nb: 2\nm:\n  # about y\n  y: 1\n  x: 0\n  z: 2\n',
    },
    {
      name: 'a list item quoted as the last one, after its trailing comment',
      text: "drop:\n  - 'NET_RAW'  # no raw sockets\n",
      operations: [add('/drop/-', 'ALL')],
      expected: "drop:\n  - 'NET_RAW'  # no raw sockets\n  - 'ALL'\n",
    },
    {
      name: 'JSON on one line stays on one line',
      text: '{"kind": "Pod", "spec": {"containers": []}}',
      operations: [add('/spec/securityContext', { runAsNonRoot: true })],
      expected: '{"kind": "Pod", "spec": {"containers": [], "securityContext": {"runAsNonRoot": true}}}',
    },
    {
      name: 'a value that YAML 1.1 would read as something else is quoted',
      text: 'labels:\n  team: a\n',
      operations: [add('/labels/enabled', 'yes'), add('/labels/version', '1.0'), add('/labels/example.com~1tier', 'web'), add('/labels/n', 'y')],
      expected: 'labels:\n  team: a\n  enabled: "yes"\n  version: "1.0"\n  example.com/tier: web\n  "n": "y"\n',
    },
    {
      name: 'a replaced scalar keeps its comment',
      text: 'allowPrivilegeEscalation: yes # legacy\n',
      operations: [{ op: 'replace', path: '/allowPrivilegeEscalation', value: false } as PatchOperation],
      expected: 'allowPrivilegeEscalation: false # legacy\n',
    },
    {
      name: 'a List item, through its base path',
      text: 'kind: List\nitems:\n- kind: Pod\n  spec: {}\n',
      operations: [add('/spec/hostUsers', false)],
      base: ['items', 0],
      expected: 'kind: List\nitems:\n- kind: Pod\n  spec: {hostUsers: false}\n',
    },
  ])('$name', ({ text, operations, expected, base }) => {
    expect(edit(text, operations, base).text).toBe(expected);
  });

  it('marks an edit through an alias as shared, and makes the same edit reached twice once', () => {
    const text = 'a: &x\n  k: 1\nb: *x\n';
    const { text: result, edits } = edit(text, [add('/a/q', 2), add('/b/q', 2)]);
    expect(edits.map((each) => [each.shared, each.duplicate])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(result).toBe('a: &x\n  k: 1\n  q: 2\nb: *x\n');
  });

  it('sets a key found through a merge key in the merging map, not in the anchor', () => {
    const text = 'base: &b\n  k: true\nuse:\n  <<: *b\n  o: 1\n';
    const { text: result, edits } = edit(text, [{ op: 'replace', path: '/use/k', value: false }]);
    expect(edits[0]?.shared).toBe(false);
    // Every map of this document is in alphabetical order, so the new key takes its place.
    expect(result).toBe('base: &b\n  k: true\nuse:\n  <<: *b\n  k: false\n  o: 1\n');
  });

  it('refuses what it cannot place, with the reason', () => {
    const { edits } = edit('a: 1\n', [add('/b/c', 1), { op: 'remove', path: '/a' }, { op: 'replace', path: '/z', value: 1 }]);
    expect(edits.map((each) => each.refused)).toEqual(['/b: no such field in the document', 'unsupported operation remove /a', '/z: no such field to replace']);
  });

  it('will not open a document that does not parse, or more than one', () => {
    expect(DocumentEditor.open('a: [\n')).toMatch(/^the document cannot be edited: /);
    expect(DocumentEditor.open('a: 1\n---\nb: 2\n')).toBe('the document cannot be edited: it is not a single YAML document');
  });
});
