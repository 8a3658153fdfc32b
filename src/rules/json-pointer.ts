// RFC 6901 JSON Pointers, the paths of RFC 6902 JSON Patch operations. A reference token escapes `~`
// as `~0` and `/` as `~1` (in that order), so the label key `app.kubernetes.io/name` is addressed as
// `/metadata/labels/app.kubernetes.io~1name`. Getting this wrong patches the wrong field, or none.

/** One reference token, escaped: `~` → `~0`, then `/` → `~1`. Array indexes are written as numbers. */
export function escapePointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The inverse of {@link escapePointerToken}: `~1` → `/`, then `~0` → `~` (RFC 6901 §4). */
export function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** A pointer from unescaped tokens: `jsonPointer(['metadata', 'labels', 'a/b'])` → `/metadata/labels/a~1b`. */
export function jsonPointer(tokens: readonly (string | number)[]): string {
  let pointer = '';
  for (const token of tokens) pointer += `/${escapePointerToken(token)}`;
  return pointer;
}

/** The unescaped tokens of a pointer; `''` (the whole document) has none. Throws on a pointer not starting with `/`. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON Pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  return pointer.slice(1).split('/').map(unescapePointerToken);
}
