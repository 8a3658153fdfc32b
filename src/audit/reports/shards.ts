// The reports an audit calls for, per scope (a namespace, or the cluster for findings on cluster-scoped
// objects other than Namespaces): failures only (findings that enforcing would refuse), in the audit's
// order, split into shards so that no report comes near etcd's request limit (1.5 MiB; Kyverno's issue
// #2674 is a namespace of 2,000 pods whose one report could not be stored).
//
// - A shard holds at most SHARD_RESULTS results and at most SHARD_BYTES of them as JSON (a third of
//   etcd's limit, whatever the messages), whichever comes first.
// - Shards are named `policygate`, `policygate-2`, `policygate-3`, ... (the first keeps the name a
//   single report had), filled in order, and each one's `summary.fail` counts its own results, so that
//   a tool that adds up the summaries of a namespace's reports (policy-reporter does) counts each
//   failure once.
// - A scope keeps at most `maxResults` failures (default 5,000: ten full shards); the first shard's
//   annotation `policygate.dev/omitted-results` says how many more there were.
// - A finding that enforcing would refuse but a configured exception excepts is a `skip` result naming
//   the exception (`properties.mode: excepted`), after the scope's failures and within the same cap;
//   `summary.skip` counts them, and is there only when something was excepted.
import type { ExceptedResult } from '../exceptions.js';
import { namespaceKeyOf, type AuditResult } from '../report.js';
import type { ReportApi } from './report-api.js';

export const REPORT_NAME = 'policygate';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'policygate' } as const;
export const OMITTED_ANNOTATION = 'policygate.dev/omitted-results';
/** Results per shard. */
export const SHARD_RESULTS = 500;
/** Results' JSON per shard: a third of etcd's 1.5 MiB, leaving room for metadata and managedFields. */
export const SHARD_BYTES = 512 * 1024;
/** Failures kept per scope. */
export const DEFAULT_MAX_RESULTS = 5_000;
const MAX_MESSAGE_LENGTH = 1024;

export interface ReportResult {
  source: 'policygate';
  /** The rule. */
  policy: string;
  /** The check. */
  rule: string;
  result: 'fail' | 'skip';
  message: string;
  resources: Array<{ apiVersion: string; kind: string; namespace?: string; name: string }>;
  /** The field, today's mode, and what the audit knows besides. */
  properties: Record<string, string>;
  timestamp: { seconds: number; nanos: number };
}

export interface PolicyReportObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  /** `skip` only when something was excepted, so that reports without exceptions keep their shape. */
  summary: { fail: number; skip?: number };
  results: ReportResult[];
  [field: string]: unknown;
}

/** `policygate`, `policygate-2`, ...; undefined for a name that is not one of ours. */
export function shardIndexOf(name: string): number | undefined {
  if (name === REPORT_NAME) return 1;
  const match = /^policygate-([1-9]\d*)$/.exec(name);
  const index = match ? Number(match[1]) : undefined;
  return index !== undefined && index >= 2 ? index : undefined;
}

export function shardName(index: number): string {
  return index === 1 ? REPORT_NAME : `${REPORT_NAME}-${index}`;
}

export function resultOf(result: AuditResult | ExceptedResult, seconds: number): ReportResult {
  const excepted = 'exception' in result;
  const owned = Object.entries(result.owned).map(([kind, count]) => `${kind}=${count}`);
  const message = result.message.length > MAX_MESSAGE_LENGTH ? `${result.message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : result.message;
  return {
    source: 'policygate',
    policy: result.rule,
    rule: result.check,
    result: excepted ? 'skip' : 'fail',
    message,
    resources: [{ apiVersion: result.apiVersion, kind: result.kind, ...(result.namespace !== null ? { namespace: result.namespace } : {}), name: result.name }],
    properties: {
      path: result.path,
      mode: excepted ? 'excepted' : result.mode,
      ...(excepted ? { exception: result.exception } : {}),
      ...(result.policy !== undefined ? { level: result.policy } : {}),
      ...(owned.length > 0 ? { owned: owned.join(',') } : {}),
      ...(result.example !== undefined ? { example: result.example } : {}),
    },
    timestamp: { seconds, nanos: 0 },
  };
}

/** The scope a result's report is in: its namespace (a Namespace's own name), or '' for the cluster's. */
export function scopeOf(result: AuditResult): string {
  return namespaceKeyOf(result);
}

/** Whether a result goes into the reports: what enforcing would refuse. */
export function isReported(result: AuditResult): boolean {
  return result.enforcedMode === 'enforce';
}

export interface ShardOptions {
  api: ReportApi;
  now: Date;
  maxResults?: number | undefined;
}

/** The shards of one scope, from its reported results in the audit's order (failures, then what exceptions excepted). Empty when it has none. */
export function shardsOf(scope: string, results: Iterable<AuditResult | ExceptedResult>, options: ShardOptions): PolicyReportObject[] {
  const max = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const seconds = Math.floor(options.now.getTime() / 1000);
  const shards: PolicyReportObject[] = [];
  let current: PolicyReportObject | undefined;
  let bytes = 0;
  let total = 0;
  for (const result of results) {
    total++;
    if (total > max) continue;
    const entry = resultOf(result, seconds);
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (!current || current.results.length >= SHARD_RESULTS || (current.results.length > 0 && bytes + size > SHARD_BYTES)) {
      current = {
        apiVersion: options.api.apiVersion,
        kind: scope === '' ? options.api.clusterKind : options.api.kind,
        metadata: { name: shardName(shards.length + 1), ...(scope !== '' ? { namespace: scope } : {}), labels: { ...MANAGED_BY } },
        ...options.api.fields,
        summary: { fail: 0 },
        results: [],
      };
      shards.push(current);
      bytes = 0;
    }
    current.results.push(entry);
    if (entry.result === 'skip') current.summary.skip = (current.summary.skip ?? 0) + 1;
    else current.summary.fail++;
    bytes += size;
  }
  const first = shards[0];
  if (first && total > max) first.metadata.annotations = { [OMITTED_ANNOTATION]: String(total - max) };
  return shards;
}

/** Every scope's shards at once (tests, and a small audit): the writer itself builds them one scope at a time. */
export function reportsOf(
  report: { results: readonly AuditResult[]; exceptions?: { excepted: readonly ExceptedResult[] } },
  options: ShardOptions,
): Map<string, PolicyReportObject[]> {
  const byScope = new Map<string, (AuditResult | ExceptedResult)[]>();
  for (const result of [...report.results, ...(report.exceptions?.excepted ?? [])]) {
    if (!isReported(result)) continue;
    const scope = scopeOf(result);
    const list = byScope.get(scope);
    if (list) list.push(result);
    else byScope.set(scope, [result]);
  }
  return new Map([...byScope].map(([scope, results]) => [scope, shardsOf(scope, results, options)]));
}
