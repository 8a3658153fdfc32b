// How deep input may nest, for every reader of it: the webhook's body, `policygate review` and
// `policygate check`. Kubernetes objects are shallow: an AdmissionReview of a CronJob with node
// affinity and its managedFields nests about 20 levels, and the deepest CustomResourceDefinitions in
// wide use (Argo Workflows' CronWorkflow, with a pod spec inside its OpenAPI schema) 37. What nests
// deeper is built to hurt: V8's JSON.parse takes over a second on a 3 MB body of arrays nested 1.5
// million deep, while the webhook answers nothing else. 100 leaves room for every real object (and
// for a List or an AdmissionReview around it).

/** The most arrays and objects (JSON) or sequences and mappings (YAML) that may enclose one another. */
export const MAX_NESTING_DEPTH = 100;

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_ARRAY = 91; // [
const OPEN_OBJECT = 123; // {
const CLOSE_ARRAY = 93; // ]
const CLOSE_OBJECT = 125; // }

/**
 * Where JSON text first opens an array or object deeper than `limit`, as an offset into the text; undefined
 * when it never does. One pass, before any parsing, that stops at the first bracket too deep: a body
 * nested a million deep is refused after reading `limit` + 1 characters. Brackets inside strings do not
 * count; a string is skipped with indexOf, which is most of an object's text. Malformed JSON is scanned
 * as far as it goes and left for JSON.parse to refuse.
 */
export function jsonNestingTooDeepAt(text: string, limit: number = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      let end = text.indexOf('"', index + 1);
      // A quote after an odd number of backslashes is escaped: the string goes on.
      while (end !== -1 && text.charCodeAt(end - 1) === BACKSLASH) {
        let backslashes = 1;
        while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return undefined;
      index = end;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth > limit) return index;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    }
  }
  return undefined;
}

/** The refusal, the same words wherever the input came from. */
export function nestingTooDeepMessage(limit: number = MAX_NESTING_DEPTH): string {
  return `nested deeper than ${limit} levels; no Kubernetes object nests that deep, so policygate refuses it unparsed`;
}
