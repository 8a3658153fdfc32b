// The configured exceptions as matchers, built once per configuration (the webhook's lives for the
// process) and looked up per object. The configuration stays plain data; this is its compiled view.
import type { ExceptionConfig, PolicyConfig } from '../types.js';
import { expiryInstant } from './expiry.js';
import { compileGlobs, type TextMatcher } from './glob.js';

/**
 * Rules no exception can touch. policy-label-guard decides who may relax a namespace's enforcement;
 * an exception there would be a way around it. The configuration refuses one; this keeps a
 * configuration built in code from trying.
 */
export const NEVER_EXCEPTED_RULES: ReadonlySet<string> = new Set(['policy-label-guard']);

/** The wildcard in `rule/*`. */
export const EVERY_CHECK = '*';

export interface CompiledException {
  readonly name: string;
  /** From this instant on (ms since the epoch) the exception no longer applies; undefined: never expires. */
  readonly expiresAt: number | undefined;
  readonly namespaces: TextMatcher | undefined;
  readonly kinds: ReadonlySet<string> | undefined;
  readonly names: TextMatcher | undefined;
  readonly containers: TextMatcher | undefined;
  readonly images: TextMatcher | undefined;
  /** `containers` or `images` given: only the matching containers' fields are excepted (pod-security). */
  readonly narrowed: boolean;
  /** The excepted checks by rule; `EVERY_CHECK` in the set stands for all of the rule's checks. */
  readonly checks: ReadonlyMap<string, ReadonlySet<string>>;
}

function checksByRule(checks: readonly string[]): Map<string, Set<string>> {
  const byRule = new Map<string, Set<string>>();
  for (const entry of checks) {
    const slash = entry.indexOf('/');
    if (slash <= 0) continue;
    const rule = entry.slice(0, slash);
    if (NEVER_EXCEPTED_RULES.has(rule)) continue;
    let set = byRule.get(rule);
    if (!set) byRule.set(rule, (set = new Set()));
    set.add(entry.slice(slash + 1));
  }
  return byRule;
}

function globsOf(globs: readonly string[] | undefined): TextMatcher | undefined {
  return globs === undefined ? undefined : compileGlobs(globs);
}

function compileException(exception: ExceptionConfig): CompiledException {
  const { match } = exception;
  // A date the configuration should have refused never expires silently into "applies forever":
  // an unreadable expiry counts as already expired.
  const expiresAt = exception.expires === undefined ? undefined : (expiryInstant(exception.expires) ?? Number.NEGATIVE_INFINITY);
  return {
    name: exception.name,
    expiresAt,
    namespaces: globsOf(match.namespaces),
    kinds: match.kinds === undefined ? undefined : new Set(match.kinds),
    names: globsOf(match.names),
    containers: globsOf(match.containers),
    images: globsOf(match.images),
    narrowed: match.containers !== undefined || match.images !== undefined,
    checks: checksByRule(exception.checks),
  };
}

const NONE: readonly CompiledException[] = Object.freeze([]);

/** The compiled exceptions, and the same by rule (so that a rule looks only at its own). */
interface Compiled {
  all: readonly CompiledException[];
  byRule: ReadonlyMap<string, readonly CompiledException[]>;
}

const compiled = new WeakMap<readonly ExceptionConfig[], Compiled>();

function compiledOf(list: readonly ExceptionConfig[]): Compiled {
  let found = compiled.get(list);
  if (found) return found;
  const all = Object.freeze(list.map(compileException));
  const byRule = new Map<string, CompiledException[]>();
  for (const exception of all) {
    for (const rule of exception.checks.keys()) {
      const forRule = byRule.get(rule);
      if (forRule) forRule.push(exception);
      else byRule.set(rule, [exception]);
    }
  }
  compiled.set(list, (found = { all, byRule }));
  return found;
}

/** The configuration's exceptions of one rule, in the configuration's order: compiled on first use, kept as long as the configuration is. */
export function compiledExceptionsOf(config: Pick<PolicyConfig, 'exceptions'>, rule: string): readonly CompiledException[] {
  const list = config.exceptions as readonly ExceptionConfig[] | undefined;
  if (list === undefined || list.length === 0) return NONE;
  return compiledOf(list).byRule.get(rule) ?? NONE;
}

/** Whether the exception excepts this rule's check. */
export function covers(exception: CompiledException, rule: string, check: string): boolean {
  const checks = exception.checks.get(rule);
  return checks !== undefined && (checks.has(EVERY_CHECK) || checks.has(check));
}
