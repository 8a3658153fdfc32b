import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch-apply.js';
import type { PatchOperation } from './types.js';

describe('applyJsonPatch (RFC 6902)', () => {
  it('adds members, creating nothing implicitly, and leaves the input alone', () => {
    const input = { metadata: { name: 'a' } };
    const patched = applyJsonPatch(input, [
      { op: 'add', path: '/metadata/labels', value: { team: 'x' } },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
    ]);
    expect(patched).toEqual({ metadata: { name: 'a', labels: { team: 'x', 'app.kubernetes.io/name': 'web' } } });
    expect(input).toEqual({ metadata: { name: 'a' } });
    expect(() => applyJsonPatch(input, [{ op: 'add', path: '/spec/x', value: 1 }])).toThrow('/spec/x: no such location');
  });

  it('adds to arrays by index and with "-", and replaces an existing member', () => {
    expect(applyJsonPatch({ a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }, { op: 'add', path: '/a/-', value: 4 }])).toEqual({ a: [1, 2, 3, 4] });
    expect(applyJsonPatch({ a: null }, [{ op: 'add', path: '/a', value: { b: 1 } }])).toEqual({ a: { b: 1 } });
    expect(() => applyJsonPatch({ a: [] }, [{ op: 'add', path: '/a/1', value: 1 }])).toThrow('out of range');
  });

  it.each<{ name: string; operations: PatchOperation[]; result: unknown }>([
    { name: 'replace', operations: [{ op: 'replace', path: '/a/b', value: 2 }], result: { a: { b: 2 }, c: [1] } },
    { name: 'remove a member', operations: [{ op: 'remove', path: '/a/b' }], result: { a: {}, c: [1] } },
    { name: 'remove an element', operations: [{ op: 'remove', path: '/c/0' }], result: { a: { b: 1 }, c: [] } },
    { name: 'test that passes', operations: [{ op: 'test', path: '/a', value: { b: 1 } }], result: { a: { b: 1 }, c: [1] } },
  ])('$name', ({ operations, result }) => {
    expect(applyJsonPatch({ a: { b: 1 }, c: [1] }, operations)).toEqual(result);
  });

  it('fails replace and remove of a missing member, and a failing test', () => {
    expect(() => applyJsonPatch({}, [{ op: 'replace', path: '/a', value: 1 }])).toThrow('/a: no such location');
    expect(() => applyJsonPatch({}, [{ op: 'remove', path: '/a' }])).toThrow('/a: no such location');
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow('/a: test failed');
  });
});
