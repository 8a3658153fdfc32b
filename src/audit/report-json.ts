// `policygate audit --format json`: the contract of `policygate check --format json` (results, errors,
// summary, with the same keys), so that one CI script reads both, plus what only the audit knows. Fields
// are listed explicitly so that nothing added to the report model leaks into it unannounced.
//
// Per result, beyond check's keys: `line` and `column` are null (a cluster object has no source
// position; `file` is its API path), `mode` is the mode today (`off` when today's configuration raises
// nothing), `enforcedMode` the mode as if every rule and check were enforced, `own` whether the reported
// object itself has the finding, `owned` the owned objects with the same finding by kind, `example` one
// of them when `own` is false. Results are not capped unless --max-objects is given; then `omitted`
// says what was left out.
//
// One mapping cannot serve both: check's results carry source positions and only the active modes, and
// the order of the keys (documented in the README) puts `enforcedMode` beside `mode`. What keeps the two
// contracts the same is the types below, written in terms of check's JsonReport: a key check's JSON
// gains fails to compile here until the audit carries it too.
import type { JsonReport } from '../report/json.js';
import type { ActiveMode } from '../rules/types.js';
import type { AuditExceptions, ExceptedResult } from './exceptions.js';
import type { NetworkPosture } from './network-posture.js';
import { capResults, type AuditReport, type AuditResult, type CappedResults, type CheckCount, type NamespaceCount } from './report.js';

type CheckJson = JsonReport['results'][number];

/** check's result keys (`line` and `column` null: a cluster object has no source position), then the audit's own. */
export type AuditJsonResult = Omit<CheckJson, 'line' | 'column' | 'mode'> & { line: null; column: null } & Omit<AuditResult, Exclude<keyof CheckJson, 'mode' | 'name'>>;

export interface AuditJsonReport {
  results: AuditJsonResult[];
  errors: (JsonReport['errors'][number] & { line: null; column: null })[];
  /** check's summary, so one script reads both, plus the counts only an audit has. */
  summary: JsonReport['summary'] & {
    off: number;
    enforced: Record<ActiveMode, number>;
  };
  counts: { checks: CheckCount[]; namespaces: NamespaceCount[] };
  omitted?: { rule: string; check: string; enforcedMode: ActiveMode; results: number }[];
  notes: string[];
  source: string;
  namespace: string | null;
  listed: Record<string, number>;
  /** What configured exceptions excepted (`mode` off, `enforcedMode` what it would be, `exception` which), and their state. */
  exceptions: Omit<AuditExceptions, 'excepted'> & { excepted: AuditJsonResult[] };
  /** The network posture (README "The network posture in the audit"): totals, then every namespace. */
  network: NetworkPosture;
}

function resultJson(result: AuditResult | ExceptedResult): AuditJsonResult {
  return {
    file: result.file,
    line: null,
    column: null,
    apiVersion: result.apiVersion,
    kind: result.kind,
    namespace: result.namespace,
    name: result.name,
    rule: result.rule,
    check: result.check,
    mode: result.mode,
    ...('exception' in result ? { exception: result.exception } : {}),
    enforcedMode: result.enforcedMode,
    path: result.path,
    message: result.message,
    ...(result.policy !== undefined ? { policy: result.policy } : {}),
    own: result.own,
    owned: { ...result.owned },
    ...(result.example !== undefined ? { example: result.example } : {}),
  };
}

/** The posture with its keys in the documented order, nothing more. */
function networkPostureJson(posture: NetworkPosture): NetworkPosture {
  return {
    totals: { ...posture.totals },
    namespaces: posture.namespaces.map((entry) => ({
      namespace: entry.namespace,
      exempt: entry.exempt,
      ingressIsolated: entry.ingressIsolated,
      egressIsolated: entry.egressIsolated,
      pods: entry.pods,
      podsNotSelected: entry.podsNotSelected,
      admittingEverything: entry.admittingEverything.map((policy) => ({ kind: policy.kind, name: policy.name, directions: [...policy.directions] })),
      openGroups: entry.openGroups.map((group) => ({ owner: group.owner, pods: group.pods, direction: group.direction, policies: [...group.policies] })),
      findings: entry.findings,
    })),
  };
}

/** The report with its two long arrays, the results and what exceptions excepted, left empty: auditJsonChunks fills them in. */
function frameOf(report: AuditReport, omitted: CappedResults['omitted'] | undefined): AuditJsonReport {
  const { summary, exceptions } = report;
  return {
    results: [],
    errors: report.errors.map((error) => ({ file: error.file, line: null, column: null, message: error.message })),
    summary: {
      files: summary.files,
      resources: summary.resources,
      enforce: summary.enforce,
      warn: summary.warn,
      audit: summary.audit,
      excepted: summary.excepted,
      errors: summary.errors,
      // A cluster has no files to pass over.
      skipped: 0,
      off: summary.off,
      enforced: { ...summary.enforced },
    },
    counts: report.counts,
    ...(omitted !== undefined ? { omitted } : {}),
    notes: [...report.notes],
    source: report.source,
    namespace: report.namespace ?? null,
    listed: { ...report.listed },
    exceptions: {
      used: exceptions.used,
      expiring: exceptions.expiring,
      expired: exceptions.expired,
      unused: exceptions.unused,
      excepted: [],
    },
    network: networkPostureJson(report.network),
  };
}

/** Where the frame's empty arrays are, as JSON.stringify(frame, null, 2) writes them: `results` at the top, `excepted` in `exceptions`. */
const RESULTS_KEY = '\n  "results": []';
const EXCEPTED_KEY = '\n    "excepted": []';

/** The elements of an array whose key sits at `indent`, as JSON.stringify(..., null, 2) writes them in place. */
function* elements(items: readonly (AuditResult | ExceptedResult)[], indent: string): Generator<string> {
  const inner = `${indent}  `;
  for (const [index, item] of items.entries()) {
    yield `${index > 0 ? ',' : ''}\n${inner}${JSON.stringify(resultJson(item), null, 2).replaceAll('\n', `\n${inner}`)}`;
  }
  if (items.length > 0) yield `\n${indent}`;
}

/**
 * The JSON report in pieces, exactly as `JSON.stringify(report, null, 2)` would write it whole: one
 * piece per result line (and per excepted line), so that a large cluster's report is never one string
 * (100,000 pods: about 15 MB).
 */
export function* auditJsonChunks(report: AuditReport, maxObjects?: number): Generator<string> {
  const { results, omitted } = capResults(report.results, maxObjects);
  const frame = JSON.stringify(frameOf(report, maxObjects !== undefined ? omitted : undefined), null, 2);
  const resultsAt = frame.indexOf(RESULTS_KEY);
  const exceptedAt = frame.indexOf(EXCEPTED_KEY);
  if (resultsAt === -1 || exceptedAt < resultsAt) throw new Error('the audit JSON frame lost its arrays');
  const resultsOpen = resultsAt + RESULTS_KEY.length - 1;
  const exceptedOpen = exceptedAt + EXCEPTED_KEY.length - 1;
  yield frame.slice(0, resultsOpen);
  yield* elements(results, '  ');
  yield frame.slice(resultsOpen, exceptedOpen);
  yield* elements(report.exceptions.excepted, '    ');
  yield `${frame.slice(exceptedOpen)}\n`;
}

export function formatAuditJson(report: AuditReport, maxObjects?: number): string {
  return [...auditJsonChunks(report, maxObjects)].join('');
}
