// `--format sarif`: SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif) and other
// viewers. Every rule and check is described in the driver; each finding is a result at the line and
// column of the offending field, with the resource as a logical location and a fingerprint that does
// not move when lines do. Input errors are tool execution notifications.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STDIN_NAME } from '../manifests/read-sources.js';
import type { PolicyConfig } from '../rules/types.js';
import { ruleCatalog } from './rule-catalog.js';
import type { CheckError, CheckReport, CheckResult, FormatOptions } from './types.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note' | 'none';
const LEVEL: Record<string, Level> = { enforce: 'error', warn: 'warning', audit: 'note', excepted: 'note', off: 'none' };

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** A file's URI: relative to the working directory (the repository root in CI) when it is inside it. */
function artifactLocation(file: string, cwd: string): ArtifactLocation {
  if (file === STDIN_NAME) return { uri: 'stdin' };
  const absolute = resolve(cwd, file);
  const inside = relative(cwd, absolute);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
    return { uri: inside.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
  }
  return { uri: pathToFileURL(absolute).href };
}

function physicalLocation(file: string, line: number | null, column: number | null, cwd: string) {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(file, cwd),
      ...(line !== null ? { region: { startLine: line, ...(column !== null ? { startColumn: column } : {}) } } : {}),
    },
  };
}

/** Stable across edits that move the resource: the rule, the resource and the field. */
function fingerprint(result: CheckResult): string {
  const key = [result.rule, result.check, result.apiVersion, result.kind, result.namespace ?? '', result.name ?? '', result.path].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function sarifResult(result: CheckResult, ruleIndex: Map<string, number>, cwd: string) {
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
        ...physicalLocation(result.file, result.line, result.column, cwd),
        logicalLocations: [{ name: result.name ?? '(unnamed)', fullyQualifiedName: `${result.apiVersion}/${resource}`, kind: 'resource' }],
      },
    ],
    ...(result.related.length > 0
      ? { relatedLocations: result.related.map((field, id) => ({ id, ...physicalLocation(result.file, field.line, field.column, cwd), message: { text: field.path } })) }
      : {}),
    partialFingerprints: { 'policygate/v1': fingerprint(result) },
    // SARIF's own word for a finding someone has decided to accept: viewers list it apart, not as an alert.
    ...(result.exception !== undefined ? { suppressions: [{ kind: 'external', justification: `policygate exception ${result.exception}` }] } : {}),
    properties: {
      mode: result.mode,
      ...(result.exception !== undefined ? { exception: result.exception } : {}),
      path: result.path,
      ...(result.policy !== undefined ? { policy: result.policy } : {}),
    },
  };
}

function notification(error: CheckError, cwd: string) {
  return { level: 'error' as const, message: { text: error.message }, locations: [physicalLocation(error.file, error.line, error.column, cwd)] };
}

export function formatSarif(report: CheckReport, options: FormatOptions & { config: PolicyConfig }): string {
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
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'policygate', version: options.version, semanticVersion: options.version, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(options.cwd.endsWith(sep) ? options.cwd : `${options.cwd}${sep}`).href } },
        invocations: [
          {
            // The run completed: input errors are reported below, not a failure of the tool.
            executionSuccessful: true,
            toolExecutionNotifications: report.errors.map((error) => notification(error, options.cwd)),
          },
        ],
        results: report.results.map((result) => sarifResult(result, ruleIndex, options.cwd)),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
