import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { DocumentEditor } from '../../src/fix/yaml-edit.js';

it('scratch', () => {
  const text = readFileSync('test/fix/fixtures/flow-style.in.yaml', 'utf8');
  const editor = DocumentEditor.open(text);
  if (typeof editor === 'string') throw new Error(editor);
  const ops = [
    { op: 'replace', path: '/spec/securityContext/runAsNonRoot', value: true },
    { op: 'add', path: '/spec/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
    { op: 'replace', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
    { op: 'add', path: '/spec/containers/0/securityContext/capabilities/drop/-', value: 'ALL' },
    { op: 'add', path: '/spec/containers/1/securityContext/allowPrivilegeEscalation', value: false },
    { op: 'add', path: '/spec/containers/2/securityContext/capabilities/drop/-', value: 'ALL' },
  ] as const;
  const edits = ops.map((op) => editor.plan([], op));
  console.log(JSON.stringify(edits.map((e) => ({ r: e.refused, s: e.splices })), null, 0));
  console.log(editor.apply(edits));
});
