// Which exceptions apply to an object, and the exceptions of whole findings. pod-security applies its
// exceptions itself, down to containers (src/rules/pod-security/exceptions.ts); every other rule's
// findings are excepted here, whole, by evaluateObject.
import { namespaceOf } from '../kinds.js';
import type { Finding, KubeObject, RuleContext } from '../types.js';
import { compiledExceptionsOf, covers, type CompiledException } from './compile.js';
import { stillApplies } from './expiry.js';
import { identitiesOf, type Identity } from './identity.js';

const NONE: readonly CompiledException[] = Object.freeze([]);

function matchesIdentity(exception: CompiledException, identity: Identity): boolean {
  return (exception.kinds === undefined || exception.kinds.has(identity.kind)) && (exception.names === undefined || exception.names(identity.name));
}

/**
 * The exceptions of this rule that apply to this object now: not expired at `context.now`, and every
 * object field they give (namespaces, kinds, names) matching. Their container fields are not looked at.
 */
export function exceptionsFor(object: KubeObject, context: RuleContext, rule: string): readonly CompiledException[] {
  const ofRule = compiledExceptionsOf(context.config, rule);
  if (ofRule.length === 0) return NONE;
  let found: CompiledException[] | undefined;
  let namespace: string | undefined | null = null;
  let identities: Identity[] | undefined;
  for (const exception of ofRule) {
    if (!stillApplies(exception.expiresAt, context.now)) continue;
    if (exception.namespaces) {
      if (namespace === null) namespace = namespaceOf(object, context);
      if (namespace === undefined || !exception.namespaces(namespace)) continue;
    }
    if (exception.kinds || exception.names) {
      identities ??= identitiesOf(object);
      if (!identities.some((identity) => matchesIdentity(exception, identity))) continue;
    }
    (found ??= []).push(exception);
  }
  return found ?? NONE;
}

/** The first (in the configuration's order) of these exceptions that excepts the whole finding. */
export function wholeFindingException(exceptions: readonly CompiledException[], rule: string, check: string): CompiledException | undefined {
  for (const exception of exceptions) if (!exception.narrowed && covers(exception, rule, check)) return exception;
  return undefined;
}

/** The findings, each one an exception excepts carrying that exception's name. */
export function exceptFindings(findings: Finding[], object: KubeObject, context: RuleContext, rule: string): Finding[] {
  if (findings.length === 0) return findings;
  const exceptions = exceptionsFor(object, context, rule);
  if (exceptions.length === 0) return findings;
  return findings.map((finding) => {
    const exception = wholeFindingException(exceptions, finding.rule, finding.check);
    return exception ? { ...finding, exception: exception.name } : finding;
  });
}
