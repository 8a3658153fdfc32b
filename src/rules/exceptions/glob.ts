// `*` globs, as exceptions name namespaces, objects, containers and images: `*` stands for any run of
// characters (none included), every other character for itself, and the glob matches the whole text.
//
// Images and names come from the request, so matching must not be a way to stall the webhook: no
// regular expression (a glob like `*a*a*a*b` becomes a pattern that backtracks polynomially). A glob
// is split at its stars; the first piece must start the text, the last must end it, and the pieces
// between are found left to right with indexOf, the leftmost occurrence of each being always as good
// as a later one. At worst O(text × glob), for every glob.

/** Whether a text matches. */
export type TextMatcher = (text: string) => boolean;

function pieceMatcher(pieces: readonly string[]): TextMatcher {
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixed = first.length + last.length;
  return (text) => {
    if (text.length < fixed || !text.startsWith(first) || !text.endsWith(last)) return false;
    let from = first.length;
    const end = text.length - last.length;
    for (const piece of middle) {
      const at = text.indexOf(piece, from);
      if (at === -1 || at + piece.length > end) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** One glob. */
export function compileGlob(glob: string): TextMatcher {
  if (!glob.includes('*')) return (text) => text === glob;
  if (/^\*+$/.test(glob)) return () => true;
  return pieceMatcher(glob.split('*'));
}

/** Any of the globs: exact names in one Set lookup, the others one by one. */
export function compileGlobs(globs: readonly string[]): TextMatcher {
  const exact = new Set(globs.filter((glob) => !glob.includes('*')));
  const patterns = globs.filter((glob) => glob.includes('*')).map(compileGlob);
  const [only] = patterns;
  if (only === undefined) return (text) => exact.has(text);
  if (exact.size === 0 && patterns.length === 1) return only;
  return (text) => {
    if (exact.has(text)) return true;
    for (const matches of patterns) if (matches(text)) return true;
    return false;
  };
}

/** The glob's text without its stars: what any match must contain, in order. */
export function literalPart(glob: string): string {
  return glob.replaceAll('*', '');
}
