// How deep input may nest, for every reader of it: the webhook's body, `policygate review` and
// `policygate check`. Kubernetes objects are shallow: an AdmissionReview of a CronJob with node
// affinity and its managedFields nests about 20 levels, and the deepest CustomResourceDefinitions in
// wide use (Argo Workflows' CronWorkflow, with a pod spec inside its OpenAPI schema) 37. What nests
// deeper is built to hurt: V8's JSON.parse takes over a second on a 3 MB body of arrays nested 1.5
// million deep, while the webhook answers nothing else. 100 leaves room for every real object (and
// for a List or an AdmissionReview around it).

/** The most arrays and objects (JSON) or sequences and mappings (YAML) that may enclose one another. */
export const MAX_NESTING_DEPTH = 100;

// How many arrays and objects one webhook body may hold. Shallow is not enough: 3 MB of `[]` within
// the depth limit is 1.5 million arrays for JSON.parse to build, about half a second of the one thread
// that answers the API server. A real body is far below: an UPDATE of a pod with 1,100 containers
// (2 × 1.5 MB, etcd's limit per object) holds about 35,000; a NetworkPolicy that fills 1.5 MB with
// ipBlocks about 90,000, twice that in an UPDATE. Parsing 200,000 costs tens of milliseconds.
/** The most arrays and objects one webhook request body may hold. */
export const MAX_BODY_CONTAINERS = 200_000;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d; // ]
const CLOSE_OBJECT = 0x7d; // }

/**
 * The nesting of JSON bytes, fed chunk by chunk as they arrive: the webhook refuses a body at its
 * first bracket too deep, without waiting for (or decrypting) the rest of it. Works on UTF-8 bytes
 * directly: the six bytes that matter are ASCII, and no byte of a multi-byte character is below 0x80.
 * Brackets inside strings do not count. Malformed JSON is scanned as far as it goes and left for
 * JSON.parse to refuse. A plain loop over the bytes, about a quarter of what JSON.parse costs on the
 * same body (`Buffer#indexOf` to skip strings costs more: a call into C++ per string).
 */
export class NestingScanner {
  #depth = 0;
  /** Arrays and objects opened so far. */
  #containers = 0;
  /** Whether the input was refused for holding too many arrays and objects, rather than nesting too deep. */
  tooMany = false;
  /** Bytes fed before the current chunk. */
  #consumed = 0;
  /** The previous chunk ended inside a string, */
  #inString = false;
  /** ...right after a backslash: the next byte is escaped. */
  #escaped = false;

  constructor(
    readonly limit: number = MAX_NESTING_DEPTH,
    readonly maxContainers: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Arrays and objects opened in what was fed so far. */
  get containers(): number {
    return this.#containers;
  }

  /**
   * The offset, from the start of all input fed, of the first array or object too deep (or, with
   * `tooMany` set, the first over `maxContainers`); undefined while there is none.
   */
  feed(chunk: Uint8Array): number | undefined {
    const length = chunk.length;
    const limit = this.limit;
    let depth = this.#depth;
    const maxContainers = this.maxContainers;
    let containers = this.#containers;
    let index = 0;
    if (this.#inString) {
      index = this.#escaped ? 1 : 0;
      index = endOfString(chunk, index);
      if (index >= length) return this.#endsInString(index, length);
      this.#inString = false;
      index++;
    }
    for (; index < length; index++) {
      const byte = chunk[index];
      if (byte === QUOTE) {
        index = endOfString(chunk, index + 1);
        if (index >= length) {
          this.#depth = depth;
          this.#containers = containers;
          return this.#endsInString(index, length);
        }
      } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++depth > limit) return this.#consumed + index;
        if (++containers > maxContainers) {
          this.tooMany = true;
          return this.#consumed + index;
        }
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        depth--;
      }
    }
    this.#depth = depth;
    this.#containers = containers;
    this.#consumed += length;
    return undefined;
  }

  /** `index`: where the string's end was looked for, past the chunk; one further when the last byte was a backslash. */
  #endsInString(index: number, length: number): undefined {
    this.#inString = true;
    this.#escaped = index > length;
    this.#consumed += length;
    return undefined;
  }
}

/** The index of the quote that ends the string going on at `from`; the chunk's length or more when it does not end in the chunk. */
function endOfString(chunk: Uint8Array, from: number): number {
  let index = from;
  for (; index < chunk.length; index++) {
    const byte = chunk[index];
    if (byte === QUOTE) return index;
    if (byte === BACKSLASH) index++;
  }
  return index;
}

/** Where JSON bytes first open an array or object deeper than `limit`, as a byte offset; undefined when they never do. */
export function jsonNestingTooDeepAt(bytes: Uint8Array, limit: number = MAX_NESTING_DEPTH): number | undefined {
  return new NestingScanner(limit).feed(bytes);
}

/** The refusal of a body holding too many arrays and objects. */
export function tooManyContainersMessage(limit: number = MAX_BODY_CONTAINERS): string {
  return `holds more than ${limit} arrays and objects; no Kubernetes object holds that many, so policygate refuses it unparsed`;
}

/** The refusal, the same words wherever the input came from. */
export function nestingTooDeepMessage(limit: number = MAX_NESTING_DEPTH): string {
  return `nested deeper than ${limit} levels; no Kubernetes object nests that deep, so policygate refuses it unparsed`;
}
