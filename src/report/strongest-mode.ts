// The default configuration raises a restricted Pod Security finding both as a warning and in the audit
// log, and a baseline one as enforce and audit: the same finding, on the same field, once per mode. The
// human and CI formats show it once, in its strongest mode (what the user meets first: the refusal, else
// the warning), listing the other modes where the format has room; the JSON keeps one entry per mode.
import type { CheckResult, ResultMode } from './types.js';

/** An excepted finding is recorded once (it has no modes of its own), weakest of all. */
const STRENGTH: Record<ResultMode, number> = { excepted: 0, audit: 1, warn: 2, enforce: 3 };

/** A finding as shown: its strongest mode, and every mode it was raised in, strongest first. */
export interface ShownResult extends CheckResult {
  modes: ResultMode[];
}

/** The same finding of one object: one rule and check, one field, one message. */
function findingKey(result: CheckResult): string {
  return `${result.rule}/${result.check}\u0000${result.path}\u0000${result.message}`;
}

/** A copy with one shape for every result (a spread would give each optional field its own). */
function shownFrom(result: CheckResult): ShownResult {
  return {
    file: result.file,
    line: result.line,
    column: result.column,
    apiVersion: result.apiVersion,
    kind: result.kind,
    namespace: result.namespace,
    name: result.name,
    rule: result.rule,
    check: result.check,
    mode: result.mode,
    exception: result.exception,
    path: result.path,
    message: result.message,
    policy: result.policy,
    related: result.related,
    modes: [result.mode],
  };
}

/** The findings of one object, each once, in its strongest mode, where it first appears. */
export function inStrongestMode(results: readonly CheckResult[]): ShownResult[] {
  const shown: ShownResult[] = [];
  const at = new Map<string, ShownResult>();
  for (const result of results) {
    const key = findingKey(result);
    const seen = at.get(key);
    if (!seen) {
      const entry = shownFrom(result);
      at.set(key, entry);
      shown.push(entry);
      continue;
    }
    if (seen.modes.includes(result.mode)) continue;
    seen.modes.push(result.mode);
    seen.modes.sort((a, b) => STRENGTH[b] - STRENGTH[a]);
    if (STRENGTH[result.mode] > STRENGTH[seen.mode]) {
      seen.mode = result.mode;
      seen.policy = result.policy;
    }
  }
  return shown;
}
