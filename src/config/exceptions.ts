// The `exceptions` list of the configuration: its JSON Schema, and what a schema cannot say — names
// unique and usable as identifiers, a reason that is not blank, a date that exists, checks that exist
// (never policy-label-guard's), kinds the excepted rules judge, globs that can match something, and
// container fields only where containers are judged. Every problem names its key path; the loader
// places it in the file.
import type { SchemaObject } from 'ajv';
import { NEVER_EXCEPTED_RULES, EVERY_CHECK } from '../rules/exceptions/compile.js';
import { expiryInstant } from '../rules/exceptions/expiry.js';
import { literalPart } from '../rules/exceptions/glob.js';
import { isRecord } from '../rules/is-record.js';
import { POD_SECURITY_CHECKS } from '../rules/pod-security/registry.js';
import { RULES } from '../rules/registry.js';
import type { ConfigIssue } from './schema.js';

const GLOBS = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true };

/** One entry of `exceptions`; its keys are checked further by exceptionIssues. */
export const EXCEPTION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    reason: { type: 'string', minLength: 1 },
    expires: { type: 'string', minLength: 1 },
    match: {
      type: 'object',
      properties: { namespaces: GLOBS, kinds: GLOBS, names: GLOBS, containers: GLOBS, images: GLOBS },
      required: [],
      additionalProperties: false,
    },
    checks: GLOBS,
  },
  required: ['name', 'reason', 'match', 'checks'],
  additionalProperties: false,
};

type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// Names and globs: what Kubernetes accepts, so that a glob no name can match is refused.

interface NameSyntax {
  /** What the value must be, as the message says it. */
  expected: string;
  /** One character a name may hold. */
  character: RegExp;
  maxLength: number;
  /** Names start and end with a letter or digit. */
  alphanumericEnds: boolean;
}

const DNS_LABEL_WORDS = 'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
const NAMESPACE: NameSyntax = { expected: `a namespace name or a * glob of one (${DNS_LABEL_WORDS})`, character: /[a-z0-9-]/, maxLength: 63, alphanumericEnds: true };
const OBJECT_NAME: NameSyntax = {
  expected: 'an object name or a * glob of one (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)',
  character: /[a-z0-9.-]/,
  maxLength: 253,
  alphanumericEnds: true,
};
const CONTAINER_NAME: NameSyntax = { expected: `a container name or a * glob of one (${DNS_LABEL_WORDS})`, character: /[a-z0-9-]/, maxLength: 63, alphanumericEnds: true };
const IMAGE: NameSyntax = {
  expected: 'an image reference or a * glob of one (letters, digits, ".", "_", "-", "/", ":" and "@")',
  character: /[A-Za-z0-9._\-/:@]/,
  maxLength: Number.POSITIVE_INFINITY,
  alphanumericEnds: false,
};
const EXCEPTION_NAME: NameSyntax = {
  expected: 'a name of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 characters (e.g. "node-agent-hostpath")',
  character: /[a-z0-9.-]/,
  maxLength: 63,
  alphanumericEnds: true,
};
const ALPHANUMERIC = /[a-z0-9]/i;

/**
 * Whether some name of this syntax matches the glob: its characters are allowed, what is not a star
 * fits in the length, and where it starts or ends without a star it starts or ends with a letter or
 * digit (a star can always supply one).
 */
function canMatch(glob: string, syntax: NameSyntax): boolean {
  const literal = literalPart(glob);
  if (literal.length > syntax.maxLength) return false;
  for (const character of literal) if (!syntax.character.test(character)) return false;
  if (!syntax.alphanumericEnds) return true;
  if (literal === '') return true;
  const first = glob[0] ?? '';
  const last = glob[glob.length - 1] ?? '';
  return (first === '*' || ALPHANUMERIC.test(first)) && (last === '*' || ALPHANUMERIC.test(last));
}

function isName(value: string, syntax: NameSyntax): boolean {
  return !value.includes('*') && canMatch(value, syntax);
}

// ---------------------------------------------------------------------------------------------
// Checks: `rule/check` or `rule/*`.

const EXCEPTABLE_RULES = RULES.filter((rule) => !NEVER_EXCEPTED_RULES.has(rule.id));
const POD_LEVEL_CHECKS: ReadonlySet<string> = new Set([...POD_SECURITY_CHECKS.filter((check) => check.fields === 'pod').map((check) => check.id), 'namespaceLabels']);

interface ParsedCheck {
  rule: string;
  check: string;
}

/** The check an entry names, or the problem with it. */
function parseCheck(entry: string): ParsedCheck | string {
  const slash = entry.indexOf('/');
  if (slash <= 0 || slash === entry.length - 1 || entry.indexOf('/', slash + 1) !== -1) {
    return `must be rule/check or rule/* (e.g. pod-security/hostPathVolumes) (got ${JSON.stringify(entry)})`;
  }
  const ruleId = entry.slice(0, slash);
  const check = entry.slice(slash + 1);
  if (NEVER_EXCEPTED_RULES.has(ruleId)) {
    return `${ruleId} can never be excepted: it decides who may relax a namespace's enforcement, and an exception would be a way around that (got ${JSON.stringify(entry)})`;
  }
  const rule = EXCEPTABLE_RULES.find((candidate) => candidate.id === ruleId);
  if (!rule) return `unknown rule ${JSON.stringify(ruleId)} (expected one of ${EXCEPTABLE_RULES.map((candidate) => candidate.id).join(', ')})`;
  if (check !== EVERY_CHECK && !rule.meta.checks.some((candidate) => candidate.id === check)) {
    return `unknown check ${JSON.stringify(check)} of ${ruleId} (expected * or one of ${rule.meta.checks.map((candidate) => candidate.id).join(', ')})`;
  }
  return { rule: ruleId, check };
}

// ---------------------------------------------------------------------------------------------

function strings(value: unknown): { value: string; index: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown, index) => (typeof entry === 'string' && entry !== '' ? [{ value: entry, index }] : []));
}

function globIssues(match: Record<string, unknown>, key: string, syntax: NameSyntax, path: Path): ConfigIssue[] {
  return strings(match[key])
    .filter(({ value }) => !canMatch(value, syntax))
    .map(({ value, index }) => ({ path: [...path, 'match', key, index], message: `must be ${syntax.expected}; ${JSON.stringify(value)} can never match one` }));
}

function exceptionIssues(entry: Record<string, unknown>, path: Path, firstIndex: Map<string, number>, index: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { name, reason, expires } = entry;
  if (typeof name === 'string' && name !== '') {
    if (!isName(name, EXCEPTION_NAME)) issues.push({ path: [...path, 'name'], message: `must be ${EXCEPTION_NAME.expected} (got ${JSON.stringify(name)})` });
    const first = firstIndex.get(name);
    if (first !== undefined) issues.push({ path: [...path, 'name'], message: `must be unique: exception ${JSON.stringify(name)} is already listed at exceptions[${first}]` });
    else firstIndex.set(name, index);
  }
  if (typeof reason === 'string' && reason !== '' && reason.trim() === '') {
    issues.push({ path: [...path, 'reason'], message: 'must not be blank: say why the exception exists, and until when' });
  }
  if (typeof expires === 'string' && expires !== '' && expiryInstant(expires) === undefined) {
    issues.push({ path: [...path, 'expires'], message: `must be a date (2027-03-31, valid through that day, UTC) or an RFC 3339 time (2027-03-31T18:00:00Z) (got ${JSON.stringify(expires)})` });
  }

  const checks: { parsed: ParsedCheck; index: number }[] = [];
  for (const { value, index: checkIndex } of strings(entry.checks)) {
    const parsed = parseCheck(value);
    if (typeof parsed === 'string') issues.push({ path: [...path, 'checks', checkIndex], message: parsed });
    else checks.push({ parsed, index: checkIndex });
  }

  const match = entry.match;
  if (!isRecord(match)) return issues;
  issues.push(...globIssues(match, 'namespaces', NAMESPACE, path), ...globIssues(match, 'names', OBJECT_NAME, path));
  issues.push(...globIssues(match, 'containers', CONTAINER_NAME, path), ...globIssues(match, 'images', IMAGE, path));

  // Kinds: those the excepted rules judge (the workloads that own pods are among pod-security's).
  const rules = [...new Set(checks.map(({ parsed }) => parsed.rule))];
  if (rules.length > 0) {
    const judged = [...new Set(RULES.filter((rule) => rules.includes(rule.id)).flatMap((rule) => rule.meta.appliesTo.map((kind) => kind.kind)))];
    for (const { value, index: kindIndex } of strings(match.kinds)) {
      if (judged.includes(value)) continue;
      issues.push({ path: [...path, 'match', 'kinds', kindIndex], message: `must be a kind that ${rules.join(' or ')} judges: ${judged.join(', ')} (got ${JSON.stringify(value)})` });
    }
  }

  // Containers and images narrow pod-security's checks to containers; nothing else looks at them.
  const narrowing = ['containers', 'images'].filter((key) => match[key] !== undefined);
  if (narrowing.length > 0) {
    const others = checks.filter(({ parsed }) => parsed.rule !== 'pod-security');
    if (others.length > 0) {
      issues.push({
        path: [...path, 'match', narrowing[0] ?? 'containers'],
        message: `only pod-security judges containers, and this exception also lists ${others.map(({ parsed }) => `${parsed.rule}/${parsed.check}`).join(', ')}: give those checks an exception of their own`,
      });
    }
    for (const { parsed, index: checkIndex } of checks) {
      if (parsed.rule !== 'pod-security' || !POD_LEVEL_CHECKS.has(parsed.check)) continue;
      issues.push({
        path: [...path, 'checks', checkIndex],
        message: `pod-security/${parsed.check} judges pod-level fields only, which an exception narrowed by match.${narrowing.join(' and match.')} never excepts: give it an exception without them`,
      });
    }
  }
  return issues;
}

/** What the schema cannot say about `exceptions`, in document order; looks only at fields of the right type. */
export function exceptionsIssues(document: unknown): ConfigIssue[] {
  const exceptions = isRecord(document) ? document.exceptions : undefined;
  if (!Array.isArray(exceptions)) return [];
  const firstIndex = new Map<string, number>();
  return exceptions.flatMap((entry: unknown, index) => (isRecord(entry) ? exceptionIssues(entry, ['exceptions', index], firstIndex, index) : []));
}
