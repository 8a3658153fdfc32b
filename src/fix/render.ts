// New YAML and JSON text for the values `policygate fix` adds, written the way the file around them is
// written: its line ending, its indentation step, its way of indenting lists under a key, JSON in a
// JSON document. Scalars are plain where YAML 1.1 (kubectl) and YAML 1.2 read them as the same string,
// and double-quoted otherwise, so a label value `yes` or `0042` stays a string.
import { isRecord } from '../rules/is-record.js';

export interface SourceStyle {
  /** `\n` or `\r\n`, as the document's first line ends. */
  eol: string;
  /** Columns a nested map is indented by. */
  indent: number;
  /** Columns a block list's `-` is indented by under its key: 0 (kubectl's style) or `indent`. */
  sequenceIndent: number;
  /** The document is JSON: every added key and value is written as JSON. */
  json: boolean;
}

/** Words YAML 1.1 reads as booleans or null; kubectl reads manifests as YAML 1.1. */
const YAML_11_WORDS = /^(?:y|yes|n|no|true|false|on|off|null|~)$/i;
/** A string YAML writes plain and reads back as the same string, in YAML 1.1 and 1.2 alike. */
const SAFE_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;

export function yamlScalar(value: unknown, quote?: '"' | "'"): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (quote === "'") return `'${value.replaceAll("'", "''")}'`;
  if (quote === '"' || !SAFE_PLAIN.test(value) || YAML_11_WORDS.test(value)) return JSON.stringify(value);
  return value;
}

export function spaces(count: number): string {
  return ' '.repeat(Math.max(count, 0));
}

/** `{type: RuntimeDefault}`, `[ALL]`: a value on one line, in YAML flow style or as JSON. */
export function inlineValue(value: unknown, json: boolean): string {
  if (Array.isArray(value)) return `[${value.map((item) => inlineValue(item, json)).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([key, item]) => `${json ? JSON.stringify(key) : yamlScalar(key)}: ${inlineValue(item, json)}`).join(', ')}}`;
  return json ? JSON.stringify(value) : yamlScalar(value);
}

/** A JSON value over several lines, its first line unindented and the others from `column`. */
export function multilineJson(value: unknown, column: number, style: SourceStyle): string {
  return JSON.stringify(value, null, style.indent).split('\n').join(`${style.eol}${spaces(column)}`);
}

/** The lines of a block map's entries, or a block list's items, starting at `column`; each ends with the line ending. */
export function blockLines(value: unknown, column: number, style: SourceStyle): string {
  if (Array.isArray(value)) {
    return value.map((item) => `${spaces(column)}- ${isRecord(item) || Array.isArray(item) ? inlineValue(item, false) : yamlScalar(item)}${style.eol}`).join('');
  }
  if (isRecord(value)) return Object.entries(value).map(([key, item]) => blockEntry(key, item, column, style)).join('');
  return `${spaces(column)}${yamlScalar(value)}${style.eol}`;
}

/**
 * `key: value` at `column`, with a nested map or list on the lines below it; or, `inline`, on the
 * key's line in flow style (beside entries written so: `add: [NET_ADMIN]` gets `drop: [ALL]`).
 */
export function blockEntry(key: string, value: unknown, column: number, style: SourceStyle, inline = false): string {
  const head = `${spaces(column)}${yamlScalar(key)}:`;
  if (inline) return `${head} ${inlineValue(value, false)}${style.eol}`;
  if (isRecord(value) && Object.keys(value).length > 0) return `${head}${style.eol}${blockLines(value, column + style.indent, style)}`;
  if (Array.isArray(value) && value.length > 0) return `${head}${style.eol}${blockLines(value, column + style.sequenceIndent, style)}`;
  return `${head} ${inlineValue(value, false)}${style.eol}`;
}
