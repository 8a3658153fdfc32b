import { describe, expect, it } from 'vitest';
import { escapePointerToken, jsonPointer, parseJsonPointer, unescapePointerToken } from './json-pointer.js';

describe('JSON Pointer (RFC 6901)', () => {
  it.each([
    { token: 'team', escaped: 'team' },
    { token: 'app.kubernetes.io/name', escaped: 'app.kubernetes.io~1name' },
    { token: 'a~b', escaped: 'a~0b' },
    // `~1` in a key is a literal tilde followed by 1: escaping `~` first keeps it from becoming `/`.
    { token: 'x~1/y', escaped: 'x~01~1y' },
    { token: '', escaped: '' },
    { token: 3, escaped: '3' },
  ])('escapes $token as $escaped, and back', ({ token, escaped }) => {
    expect(escapePointerToken(token)).toBe(escaped);
    expect(unescapePointerToken(escaped)).toBe(String(token));
  });

  it('joins tokens into a pointer', () => {
    expect(jsonPointer(['metadata', 'labels', 'example.com/cost-center'])).toBe('/metadata/labels/example.com~1cost-center');
    expect(jsonPointer(['spec', 'containers', 0, 'securityContext'])).toBe('/spec/containers/0/securityContext');
    expect(jsonPointer([])).toBe('');
  });

  it('parses a pointer into unescaped tokens', () => {
    expect(parseJsonPointer('/metadata/labels/a~1b~0c')).toEqual(['metadata', 'labels', 'a/b~c']);
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/')).toEqual(['']);
    expect(() => parseJsonPointer('metadata')).toThrow('invalid JSON Pointer "metadata"');
  });
});
