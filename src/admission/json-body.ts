// An AdmissionReview's JSON text → the value, for the webhook's body and for `policygate review`: the
// same refusals, in the same words, on both paths. Refused before anything else looks at the value:
// nesting deeper than MAX_NESTING_DEPTH (checked before parsing, so that it costs microseconds), and
// the keys that would reach a JavaScript object's prototype (`__proto__`, and `constructor` holding
// `prototype`), which no Kubernetes object has and which fastify's own parser refuses as well.
import { isRecord } from '../rules/is-record.js';
import { jsonNestingTooDeepAt, MAX_NESTING_DEPTH, nestingTooDeepMessage } from './nesting.js';
import { ReviewError } from './parse-review.js';

/** Input refused before it is judged; `offset`, when known, is where: a byte offset into the input. */
export class BodyError extends ReviewError {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/**
 * Whether the text can hold a prototype key at all: `__proto__` or `constructor` written out, or a
 * \u005x–\u007x escape, which can spell any of their letters. Most bodies cannot, and skip the walk.
 */
const MAY_HOLD_PROTOTYPE_KEY = /__proto__|constructor|\\u00[5-7]/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Where the value holds a key that names a prototype, with what it is; undefined when it holds none.
 * Recursive: callers bound the depth first. The path is written only once something is found: a body
 * that merely mentions `constructor` makes every node be visited, and a string built per node would
 * make that walk cost several times the parse.
 */
export function prototypeKeyIn(value: unknown, path = ''): string | undefined {
  const trail: Array<string | number> = [];
  const found = prototypeKeyBelow(value, trail);
  return found && `${found} at ${trail.reduce<string>(childPath, path)}`;
}

/** What is found below `value`, with `trail` left holding the keys down to it. */
function prototypeKeyBelow(value: unknown, trail: Array<string | number>): string | undefined {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      trail.push(index);
      const found = prototypeKeyBelow(value[index], trail);
      if (found) return found;
      trail.pop();
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  for (const key of Object.keys(value)) {
    const child = value[key];
    trail.push(key);
    if (key === '__proto__') return 'a "__proto__" key';
    if (key === 'constructor' && isRecord(child) && Object.hasOwn(child, 'prototype')) return 'a "constructor" key holding "prototype"';
    const found = prototypeKeyBelow(child, trail);
    if (found) return found;
    trail.pop();
  }
  return undefined;
}

export function prototypeKeyMessage(found: string): string {
  return `holds ${found}: no Kubernetes object has one, and in JavaScript it would reach the prototype of every object`;
}

/**
 * JSON text whose nesting has been checked → value. Throws BodyError for a prototype key, and
 * JSON.parse's SyntaxError for text that is not JSON (the caller words that one for its audience).
 */
export function parseCheckedJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (MAY_HOLD_PROTOTYPE_KEY.test(text)) {
    const found = prototypeKeyIn(value);
    if (found) throw new BodyError(prototypeKeyMessage(found));
  }
  return value;
}

/**
 * JSON bytes → value, all at once (`policygate review`; the server checks the nesting as the bytes
 * arrive, then calls parseCheckedJson). Throws BodyError for input nested too deep (with the byte
 * offset) or holding a prototype key, and SyntaxError for bytes that are not JSON.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const tooDeepAt = jsonNestingTooDeepAt(bytes, MAX_NESTING_DEPTH);
  if (tooDeepAt !== undefined) throw new BodyError(nestingTooDeepMessage(), tooDeepAt);
  return parseCheckedJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
