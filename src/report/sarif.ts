// `-o sarif`: SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif) and other
// viewers. Every rule and check is described in the driver; each finding is a result at the line and
// column of the offending field, with the resource as a logical location and a fingerprint that does
// not move when lines do. Input errors are tool execution notifications. Results are written as the
// checker reads (the invocation, which needs the errors, follows them).
import { createHash } from 'node:crypto';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportPaths, type ReportPath } from './paths.js';
import { inStrongestMode, type ShownResult } from './strongest-mode.js';
import { ruleCatalog } from './rule-catalog.js';
import { byPlace, renderReport, type Output, type Reporter, type ReporterOptions } from './reporter.js';
import type { CheckError, CheckReport, CheckResult } from './types.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note' | 'none';
const LEVEL: Record<string, Level> = { enforce: 'error', warn: 'warning', audit: 'note', excepted: 'note', off: 'none' };

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** Where files are named from: set once per report. */
type PathOf = (file: string) => ReportPath;

/**
 * A file's URI: relative to %SRCROOT% (the repository's root), the convention GitHub code scanning maps
 * onto the repository's files. Standard input is `stdin`; a file outside the repository keeps its path,
 * which no repository file matches (never a `file://` URI or a `../` path).
 */
function artifactLocation(file: string, pathOf: PathOf): ArtifactLocation {
  const { path, inRoot } = pathOf(file);
  if (inRoot) return { uri: path.split('/').map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
  if (path.startsWith('/')) return { uri: path.split('/').map(encodeURIComponent).join('/') };
  return { uri: 'stdin' };
}

function physicalLocation(file: string, line: number | null, column: number | null, pathOf: PathOf) {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(file, pathOf),
      ...(line !== null ? { region: { startLine: line, ...(column !== null ? { startColumn: column } : {}) } } : {}),
    },
  };
}

/** Stable across edits that move the resource: the rule, the resource and the field. */
function fingerprint(result: CheckResult): string {
  const key = [result.rule, result.check, result.apiVersion, result.kind, result.namespace ?? '', result.name ?? '', result.path].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function sarifResult(result: ShownResult, ruleIndex: Map<string, number>, pathOf: PathOf) {
  const id = `${result.rule}/${result.check}`;
  const index = ruleIndex.get(id);
  const resource = [result.kind, result.namespace, result.name ?? '(unnamed)'].filter((part) => part !== null).join('/');
  return {
    ruleId: id,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: LEVEL[result.mode] ?? 'warning',
    message: { text: `${result.path}: ${result.message}` },
    locations: [
      {
        ...physicalLocation(result.file, result.line, result.column, pathOf),
        logicalLocations: [{ name: result.name ?? '(unnamed)', fullyQualifiedName: `${result.apiVersion}/${resource}`, kind: 'resource' }],
      },
    ],
    ...(result.related.length > 0
      ? { relatedLocations: result.related.map((field, id) => ({ id, ...physicalLocation(result.file, field.line, field.column, pathOf), message: { text: field.path } })) }
      : {}),
    partialFingerprints: { 'policygate/v1': fingerprint(result) },
    // SARIF's own word for a finding someone has decided to accept: viewers list it apart, not as an alert.
    ...(result.exception !== undefined ? { suppressions: [{ kind: 'external', justification: `policygate exception ${result.exception}` }] } : {}),
    properties: {
      mode: result.mode,
      modes: result.modes,
      ...(result.exception !== undefined ? { exception: result.exception } : {}),
      path: result.path,
      ...(result.policy !== undefined ? { policy: result.policy } : {}),
    },
  };
}

function notification(error: CheckError, pathOf: PathOf) {
  return { level: 'error' as const, message: { text: error.message }, locations: [physicalLocation(error.file, error.line, error.column, pathOf)] };
}

/** The log up to its results, and what closes it: the results are written between the two, as they come. */
function logAround(options: ReporterOptions): { head: string; tail: (notifications: unknown[], successful: boolean) => string } {
  const rules = ruleCatalog(options.config).flatMap((rule) =>
    rule.checks.map((check) => ({
      id: check.id,
      name: check.id,
      shortDescription: { text: check.description },
      fullDescription: { text: `${rule.description} ${rule.rationale}` },
      help: { text: `${check.description}\n\nRule ${rule.id}: ${rule.description}\n\nWhy: ${rule.rationale}` },
      defaultConfiguration: { level: LEVEL[check.mode] ?? 'none', enabled: check.mode !== 'off' },
      properties: { tags: ['kubernetes', rule.id] },
    })),
  );
  // Placeholders where the results and the invocation go, found again in the laid-out text.
  const RESULTS = '"%results%"';
  const INVOCATIONS = '"%invocations%"';
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'policygate', version: options.version, semanticVersion: options.version, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(options.root.endsWith(sep) ? options.root : `${options.root}${sep}`).href } },
        results: '%results%',
        invocations: '%invocations%',
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  const text = JSON.stringify(log, null, 2);
  const results = text.indexOf(RESULTS);
  const invocations = text.indexOf(INVOCATIONS);
  const between = text.slice(results + RESULTS.length, invocations);
  const end = text.slice(invocations + INVOCATIONS.length);
  return {
    head: text.slice(0, results),
    tail: (notifications, successful) =>
      // Input errors (a file that cannot be read, YAML that does not parse) left part of the input
      // unchecked: the run did not do all it was asked. They are the notifications.
      `${between}${nested([{ executionSuccessful: successful, toolExecutionNotifications: notifications }], 3)}${end}\n`,
  };
}

/** `value` as JSON.stringify(value, null, 2) writes it `depth` levels down. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

export function sarifReporter(output: Output, options: ReporterOptions): Reporter {
  const { head, tail } = logAround(options);
  const ruleIndex = new Map(ruleCatalog(options.config).flatMap((rule) => rule.checks.map((check) => check.id)).map((id, index) => [id, index]));
  const pathOf = reportPaths(options.cwd, options.root);
  const notifications: unknown[] = [];
  let results = 0;
  output.write(head);
  return {
    document(resources, errors) {
      // Each finding once, in its strongest mode: one result per fingerprint, as code scanning keys them.
      for (const resource of resources) {
        for (const result of inStrongestMode([...resource.results].sort(byPlace))) {
          output.write(`${results === 0 ? '[\n        ' : ',\n        '}${nested(sarifResult(result, ruleIndex, pathOf), 4)}`);
          results++;
        }
      }
      for (const error of errors) notifications.push(notification(error, pathOf));
    },
    error(error) {
      notifications.push(notification(error, pathOf));
    },
    skipped() {},
    end(summary) {
      output.write(results === 0 ? '[]' : '\n      ]');
      output.write(tail(notifications, summary.errors === 0));
    },
  };
}

export function formatSarif(report: CheckReport, options: ReporterOptions): string {
  return renderReport(report, sarifReporter, options);
}
