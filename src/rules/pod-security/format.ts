// Go's formatting, reproduced where PSA's messages depend on it: `%q` quoting, pluralisation and
// the `"a", "b"` lists that every detail uses.

/** Go's strconv.Quote for the strings PSA quotes (names, types, values). */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    switch (char) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out + '"';
}

/** PSA's list form `"a", "b"`: plain quotes around each item, no escaping (unlike `%q`). */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `metadata.annotations["key"]`: a map entry's path in the form kubectl users read. */
export function mapEntryPath(mapPath: string, key: string): string {
  return `${mapPath}[${JSON.stringify(key)}]`;
}

/**
 * Go's string order (by UTF-8 bytes), which differs from JS's `<` and default `sort()` (UTF-16 code
 * units) above U+FFFF. Every order PSA shows comes from a Go sort, so every sort in a detail uses this.
 */
export function goCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The values in Go's string order (see goCompare). */
export function goSorted(values: Iterable<string>): string[] {
  return [...values].sort(goCompare);
}
