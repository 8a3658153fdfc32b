// Loading the one configuration file: YAML in, a complete and validated PolicyConfig out. A file is
// laid over the embedded default (a key it leaves out keeps the default; a list it gives replaces the
// default's list). Anything wrong is an InputError that names the file, the line and column, the key
// path and what was expected, e.g.
//   config.yaml:7:11: rules.network-policy-allow-all.mode: must be one of enforce, warn, audit, off (got "enforcing")
// so the server refuses to start and the CLI exits with the input-error code.
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { InputError } from '../errors.js';
import { baselineObject } from '../network-baseline/policies.js';
import { evaluateObject } from '../rules/evaluate.js';
import type { PolicyConfig } from '../rules/types.js';
import { DEFAULT_CONFIG_YAML } from './default-config.js';
import { exceptionsIssues } from './exceptions.js';
import { configSchema, semanticIssues, type ConfigIssue } from './schema.js';
import { isRecord } from '../rules/is-record.js';
import { parseJsonPointer } from '../rules/json-pointer.js';

/** How messages name the embedded default. */
export const DEFAULT_CONFIG_SOURCE = '(embedded default configuration)';

/** More problems than this in one file are summarised: the first ones are what needs fixing. */
const MAX_REPORTED_ISSUES = 20;

const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
const validatePartial: ValidateFunction = ajv.compile(configSchema({ complete: false }));
const validateComplete: ValidateFunction = ajv.compile(configSchema({ complete: true }));

type Path = readonly (string | number)[];

/** An issue placed in the file: `at` is the offset of the offending key or value, when it is known. */
interface LocatedIssue extends ConfigIssue {
  at: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Paths: `rules.pod-security.defaults.enforce`, `rules.namespace-required-labels.labels[1].key`.

function formatPath(path: Path): string {
  let text = '';
  for (const token of path) text += typeof token === 'number' ? `[${token}]` : text === '' ? token : `.${token}`;
  return text;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((token, index) => token === path[index]);
}

/** An ajv instancePath (a JSON Pointer) as tokens, with array indexes as numbers (read off the data). */
function pathTokens(instancePath: string, data: unknown): (string | number)[] {
  const tokens: (string | number)[] = [];
  let current = data;
  for (const token of parseJsonPointer(instancePath)) {
    if (Array.isArray(current)) {
      tokens.push(Number(token));
      current = current[Number(token)];
    } else {
      tokens.push(token);
      current = isRecord(current) ? current[token] : undefined;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Where a path sits in the YAML source.

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * The offset of the node at `path`: the key itself when `atKey` (an unknown key), else the value. When
 * the path runs out of the document (a missing key), the deepest node found on the way.
 */
function offsetOf(document: Document, path: Path, atKey: boolean): number | undefined {
  let node: unknown = document.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const [index, token] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(token));
      if (!pair) return offset;
      const keyNode = pair.key as Node | null;
      if (last && atKey) return keyNode?.range?.[0] ?? offset;
      node = pair.value;
      offset = (node as Node | null)?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
    } else if (isSeq(node)) {
      node = node.items[Number(token)];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}

/** How a value is shown after "got": the YAML text for scalars that were not strings (so `0001`, not `1`). */
function describeValue(value: unknown, sourceText: string | undefined): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return sourceText ?? String(value);
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  integer: 'an integer',
};

function scalarSource(document: Document, text: string, path: Path): string | undefined {
  const node = document.getIn(path, true);
  if (!isScalar(node) || !node.range) return undefined;
  return text.slice(node.range[0], node.range[1]).trim();
}

/** One ajv error as a located issue, worded for a person editing YAML. */
function fromAjvError(error: ErrorObject, data: unknown, document: Document, text: string): LocatedIssue {
  const path = pathTokens(error.instancePath, data);
  const got = () => describeValue(error.data, scalarSource(document, text, path));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const what = path[path.length - 1] === 'checks' ? 'check' : 'key';
      const expected = known.length === 0 ? 'no keys here' : `one of ${known.join(', ')}`;
      return { path: [...path, key], message: `unknown ${what} (expected ${expected})`, at: offsetOf(document, [...path, key], true) };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return { path, message: `missing required key "${missing}"`, at: offsetOf(document, path, false) };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type)
        .split(',')
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ');
      const quote = expected === 'a string' && (typeof error.data === 'number' || typeof error.data === 'boolean') ? '; quote it to keep it as text' : '';
      return { path, message: `must be ${expected} (got ${got()}${quote})`, at: offsetOf(document, path, false) };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return { path, message: `must be one of ${allowed} (got ${got()})`, at: offsetOf(document, path, false) };
    }
    case 'pattern': {
      const description = error.parentSchema?.description as string | undefined;
      const expected = description ?? `a string matching ${(error.params as { pattern: string }).pattern}`;
      return { path, message: `must be ${expected} (got ${got()})`, at: offsetOf(document, path, false) };
    }
    case 'minLength':
      return { path, message: 'must not be empty', at: offsetOf(document, path, false) };
    case 'minItems':
      return { path, message: 'must not be an empty list', at: offsetOf(document, path, false) };
    case 'uniqueItems': {
      const { j } = error.params as { i: number; j: number };
      const duplicate = Array.isArray(error.data) ? error.data[j] : undefined;
      return { path, message: `must not list ${describeValue(duplicate, undefined)} twice`, at: offsetOf(document, [...path, j], false) };
    }
    default:
      return { path, message: error.message ?? `fails ${error.keyword}`, at: offsetOf(document, path, false) };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading one document.

function location(source: string, lineCounter: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return source;
  const { line, col } = lineCounter.linePos(offset);
  return `${source}:${line}:${col}`;
}

function refuse(issues: LocatedIssue[], source: string, lineCounter: LineCounter): never {
  const sorted = [...issues].sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
  const problems = new Map<string, { where: string; what: string }>();
  for (const issue of sorted) {
    const where = location(source, lineCounter, issue.at);
    const what = issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`;
    problems.set(`${where}: ${what}`, { where, what });
  }
  // The first problem is the error's own message and location; the others follow, one per line.
  const [first, ...others] = problems.values();
  if (!first) throw new Error('refuse() called without issues');
  const lines = [first.what, ...others.slice(0, MAX_REPORTED_ISSUES - 1).map(({ where, what }) => `${where}: ${what}`)];
  if (others.length >= MAX_REPORTED_ISSUES) lines.push(`... and ${others.length - (MAX_REPORTED_ISSUES - 1)} more problems`);
  throw new InputError(lines.join('\n'), first.where);
}

/** The first line of a yaml error, without the position it repeats (we print our own). */
function yamlMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, '');
}

interface ReadDocument {
  data: Record<string, unknown>;
  /** Refuses the document over issues found after it was merged with the default (paths in the merged config). */
  refuse(issues: ConfigIssue[]): never;
}

/** Parses and validates one file's document; its keys are all optional. Throws InputError. */
function readDocument(text: string, source: string): ReadDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    throw new InputError(`invalid YAML: ${yamlMessage(syntaxError.message)}`, location(source, lineCounter, syntaxError.pos[0]));
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`invalid YAML: ${error instanceof Error ? error.message : String(error)}`, source);
  }
  const refuseLater = (issues: ConfigIssue[]): never =>
    refuse(
      issues.map((issue) => ({ ...issue, at: offsetOf(document, issue.path, false) })),
      source,
      lineCounter,
    );
  // An empty file, or one with only comments, asks for nothing: the default applies.
  if (data === null || data === undefined) return { data: {}, refuse: refuseLater };

  const issues = validatePartial(data) ? [] : (validatePartial.errors ?? []).map((error) => fromAjvError(error, data, document, text));
  // A field the schema already faults is not faulted twice.
  for (const issue of [...semanticIssues(data), ...exceptionsIssues(data)]) {
    if (!issues.some((reported) => isPrefix(reported.path, issue.path))) issues.push({ ...issue, at: offsetOf(document, issue.path, false) });
  }
  if (issues.length > 0) refuse(issues, source, lineCounter);
  return { data: data as Record<string, unknown>, refuse: refuseLater };
}

/** `base` with `overlay` laid over it: mappings merge key by key; lists and scalars replace. */
function overlay(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return structuredClone(over);
  const merged: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(over)) merged[key] = key in merged ? overlay(merged[key], value) : structuredClone(value);
  return merged;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const DEFAULT_DOCUMENT = readDocument(DEFAULT_CONFIG_YAML, DEFAULT_CONFIG_SOURCE).data;

/**
 * The baseline's NetworkPolicies must pass policygate's own rules as configured: the controller's
 * writes go through the webhook, which would refuse a policy that, say, admits everything.
 */
function baselineIssues(config: PolicyConfig): ConfigIssue[] {
  return config.networkBaseline.policies.flatMap((policy, index) => {
    const { findings } = evaluateObject(baselineObject(policy, 'baseline'), { config, operation: 'CREATE' });
    return findings
      .filter((finding) => finding.mode === 'enforce')
      .map((finding) => ({
        path: ['networkBaseline', 'policies', index, ...fieldPathTokens(finding.path)],
        message: `policygate's own ${finding.rule}/${finding.check} would refuse this policy: ${finding.message}`,
      }));
  });
}

/** `spec.ingress[0].from` → ['spec', 'ingress', 0, 'from']. */
function fieldPathTokens(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] !== undefined ? Number(match[2]) : (match[1] ?? '')));
}

/**
 * A configuration file's text as a complete PolicyConfig. Pure. `source` names the file in messages.
 * Throws InputError when the YAML is malformed or the configuration is invalid.
 */
export function parseConfig(text: string, source: string): PolicyConfig {
  const document = readDocument(text, source);
  const config = overlay(DEFAULT_DOCUMENT, document.data);
  // Every key is either in the file or in the default; failing here means the default is incomplete.
  if (!validateComplete(config)) throw new Error(`incomplete configuration after defaults: ${ajv.errorsText(validateComplete.errors)}`);
  const issues = baselineIssues(config as PolicyConfig);
  if (issues.length > 0) document.refuse(issues);
  return config as PolicyConfig;
}

/** The embedded default, parsed once by the same loader as a user's file. Frozen: clone it to change it. */
export const DEFAULT_CONFIG: PolicyConfig = deepFreeze(parseConfig(DEFAULT_CONFIG_YAML, DEFAULT_CONFIG_SOURCE));

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return error instanceof Error ? error.message : String(error);
}

/** The configuration in `file`, or the embedded default when no file is given. Throws InputError. */
export async function loadConfig(file?: string): Promise<PolicyConfig> {
  if (file === undefined) return structuredClone(DEFAULT_CONFIG);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the configuration file: ${readFailure(error)}`, file);
  }
  return parseConfig(text, file);
}
