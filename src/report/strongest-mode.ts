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

/** The same finding: one object's field (by its place in the file), one rule and check, one message. */
function findingKey(result: CheckResult): string {
  return [result.file, result.line, result.column, result.rule, result.check, result.path, result.message].join('\u0000');
}

/** Each finding once, in its strongest mode, where it first appears. */
export function inStrongestMode(results: readonly CheckResult[]): ShownResult[] {
  const shown = new Map<string, ShownResult>();
  for (const result of results) {
    const key = findingKey(result);
    const seen = shown.get(key);
    if (!seen) {
      shown.set(key, { ...result, modes: [result.mode] });
      continue;
    }
    if (!seen.modes.includes(result.mode)) seen.modes.push(result.mode);
    seen.modes.sort((a, b) => STRENGTH[b] - STRENGTH[a]);
    if (STRENGTH[result.mode] > STRENGTH[seen.mode]) {
      seen.mode = result.mode;
      seen.policy = result.policy;
    }
  }
  return [...shown.values()];
}
