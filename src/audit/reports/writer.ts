// Brings the cluster's reports in line with an audit: creates, updates and deletes the `policygate`
// shards of every scope (shards.ts), and touches nothing else — only reports labelled
// `app.kubernetes.io/managed-by: policygate` and named as shards are ours.
//
// Reports are the etcd objects of other people's clusters, so:
// - a shard that would not change is not written (a result keeps the timestamp of the scan that first
//   found it, so an unchanged finding changes nothing);
// - an update carries the resourceVersion listed: a report changed since (by anyone) answers 409 and
//   waits for the next scan;
// - a scope without failures (fixed, or a namespace that is gone) loses its shards, and a scope that
//   needs fewer shards loses the extra ones.
//
// Memory stays bounded however many reports there are: the existing reports are listed a few at a
// time and only what the comparison needs is kept of each (its metadata, a digest of its content, and
// per result a digest and its timestamp), and each scope's shards are built from the audit's results
// when that scope is written, then dropped.
import { createHash } from 'node:crypto';
import { apiStatusOf, describeApiError } from '../../kube/api-error.js';
import type { KubeJsonClient } from '../../kube/json-client.js';
import { isRecord } from '../../rules/is-record.js';
import type { ExceptedResult } from '../exceptions.js';
import { compareResults, compareText, type AuditReport, type AuditResult } from '../report.js';
import { REPORT_APIS, reportsPath, type ReportApi } from './report-api.js';
import { isReported, MANAGED_BY, OMITTED_ANNOTATION, scopeOf, shardIndexOf, shardsOf, type PolicyReportObject, type ReportResult } from './shards.js';

const MANAGED_BY_SELECTOR = Object.entries(MANAGED_BY).map(([key, value]) => `${key}=${value}`).join(',');
/** Existing reports per list call: a shard may weigh half a megabyte. */
const LIST_PAGE = 20;

export interface ReportCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

/** The writer's log: only warnings (a pino logger is one). */
export interface ReportLog {
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface ReportWriterOptions {
  client: KubeJsonClient;
  log: ReportLog;
  /** Default: OpenReports. */
  api?: ReportApi;
  /** Failures kept per scope (default 5,000). */
  maxResults?: number;
  /** Writes in flight at once. Default 4. */
  concurrency?: number;
}

type Timestamp = ReportResult['timestamp'];

/** What is kept of an existing shard. */
interface ExistingShard {
  /** Its metadata as stored, but managedFields (an update without them keeps them). */
  metadata: PolicyReportObject['metadata'];
  /** The digest of what decides that it need not be written. */
  digest: string;
}

/** What is kept of a scope's existing shards: each shard, and its results' timestamps (a result may move to another shard). */
interface ExistingScope {
  shards: Map<string, ExistingShard>;
  /** By the digest of what identifies a result. */
  stamps: Map<string, Timestamp>;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** What identifies a result across scans: everything but its timestamp. */
function resultDigest(result: Pick<ReportResult, 'policy' | 'rule' | 'message' | 'resources' | 'properties'>): string {
  return digest(canonical([result.policy, result.rule, result.message, result.resources, result.properties]));
}

/** What decides that a report need not be written: labels, annotations, the API's own fields, summary and results. */
function contentDigest(report: Pick<PolicyReportObject, 'metadata' | 'summary' | 'results'> & Record<string, unknown>, api: ReportApi): string {
  const fields = Object.fromEntries(Object.keys(api.fields).map((key) => [key, report[key]]));
  return digest(canonical([report.metadata.labels ?? {}, report.metadata.annotations ?? {}, fields, report.summary, report.results]));
}

function keep(report: PolicyReportObject, api: ReportApi, scope: ExistingScope): void {
  const { managedFields: _managedFields, ...metadata } = report.metadata;
  for (const result of Array.isArray(report.results) ? report.results : []) {
    if (isRecord(result) && isRecord(result.timestamp)) scope.stamps.set(resultDigest(result), result.timestamp as Timestamp);
  }
  scope.shards.set(metadata.name, { metadata, digest: contentDigest(report, api) });
}

/** The desired shard as a write over the existing one: its metadata kept, results found before keep their timestamp. */
function merge(desired: PolicyReportObject, existing: ExistingShard, stamps: Map<string, Timestamp>): PolicyReportObject {
  const { annotations: existingAnnotations, ...metadata } = existing.metadata;
  const annotations = { ...(existingAnnotations ?? {}) };
  delete annotations[OMITTED_ANNOTATION];
  Object.assign(annotations, desired.metadata.annotations ?? {});
  return {
    ...desired,
    metadata: {
      ...metadata,
      labels: { ...(existing.metadata.labels ?? {}), ...MANAGED_BY },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    results: desired.results.map((result) => ({ ...result, timestamp: stamps.get(resultDigest(result)) ?? result.timestamp })),
  };
}

/** The reported results of each scope, as ranges of the audit's results (sorted by scope first). */
function scopeRanges(results: readonly AuditResult[]): Map<string, { start: number; end: number }> {
  const ranges = new Map<string, { start: number; end: number }>();
  for (const [index, result] of results.entries()) {
    if (!isReported(result)) continue;
    const scope = scopeOf(result);
    const range = ranges.get(scope);
    if (range) range.end = index + 1;
    else ranges.set(scope, { start: index, end: index + 1 });
  }
  return ranges;
}

function* reportedIn(results: readonly AuditResult[], scope: string, range: { start: number; end: number } | undefined): Generator<AuditResult> {
  if (!range) return;
  for (let index = range.start; index < range.end; index++) {
    const result = results[index];
    if (result && isReported(result) && scopeOf(result) === scope) yield result;
  }
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}

/** What exceptions excepted that enforcing would refuse, by scope: the skip results (a few lines, kept whole). */
function exceptedByScope(excepted: readonly ExceptedResult[]): Map<string, ExceptedResult[]> {
  const byScope = new Map<string, ExceptedResult[]>();
  for (const result of excepted) {
    if (!isReported(result)) continue;
    const scope = scopeOf(result);
    const list = byScope.get(scope);
    if (list) list.push(result);
    else byScope.set(scope, [result]);
  }
  for (const list of byScope.values()) list.sort((a, b) => compareResults(a, b) || compareText(a.exception, b.exception));
  return byScope;
}

export class ReportWriter {
  private readonly api: ReportApi;

  constructor(private readonly options: ReportWriterOptions) {
    this.api = options.api ?? REPORT_APIS['openreports.io'];
  }

  /** Our shards as they are, by scope ('' for the cluster's) and name. */
  private async existing(signal: AbortSignal | undefined): Promise<Map<string, ExistingScope>> {
    const found = new Map<string, ExistingScope>();
    for (const path of [`/apis/${this.api.apiVersion}/${this.api.resource}`, `/apis/${this.api.apiVersion}/${this.api.clusterResource}`]) {
      let continueToken: string | undefined;
      do {
        signal?.throwIfAborted();
        const page = await this.options.client.request('GET', path, { query: { labelSelector: MANAGED_BY_SELECTOR, limit: String(LIST_PAGE), continue: continueToken }, timeoutMs: 30_000, signal });
        const items = isRecord(page) && Array.isArray(page.items) ? (page.items as PolicyReportObject[]) : [];
        for (const item of items) {
          const name = item.metadata?.name;
          if (typeof name !== 'string' || shardIndexOf(name) === undefined) continue;
          const scope = typeof item.metadata.namespace === 'string' ? item.metadata.namespace : '';
          let existing = found.get(scope);
          if (!existing) found.set(scope, (existing = { shards: new Map(), stamps: new Map() }));
          keep(item, this.api, existing);
        }
        const metadata = isRecord(page) && isRecord(page.metadata) ? page.metadata : {};
        continueToken = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      } while (continueToken !== undefined);
    }
    return found;
  }

  /**
   * Writes the reports `report` calls for. Never throws: a failed write is counted and logged, and the
   * next scan tries again. Undefined when the reports cannot be listed (the CRD is not installed, RBAC).
   */
  async write(report: Pick<AuditReport, 'results'> & { exceptions?: Pick<AuditReport['exceptions'], 'excepted'> }, options: { now: Date; signal?: AbortSignal }): Promise<ReportCounts | undefined> {
    const { log } = this.options;
    const counts: ReportCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
    let existing: Map<string, ExistingScope>;
    try {
      existing = await this.existing(options.signal);
    } catch (error) {
      if (options.signal?.aborted) return undefined;
      const hint = apiStatusOf(error) === 404 ? ` (${this.api.crdHint})` : '';
      log.warn({ reason: describeApiError(error) }, `cannot list ${this.api.kind}s${hint}; none written`);
      return undefined;
    }
    const ranges = scopeRanges(report.results);
    const skipped = exceptedByScope(report.exceptions?.excepted ?? []);
    const scopes = [...new Set([...ranges.keys(), ...skipped.keys(), ...existing.keys()])].sort();
    const failures: string[] = [];
    const shardOptions = { api: this.api, now: options.now, ...(this.options.maxResults !== undefined ? { maxResults: this.options.maxResults } : {}) };

    const attempt = async (what: string, write: () => Promise<unknown>, counted: keyof ReportCounts, gone?: boolean) => {
      try {
        await write();
        counts[counted]++;
      } catch (error) {
        if (gone && apiStatusOf(error) === 404) {
          counts[counted]++;
          return;
        }
        counts.failed++;
        failures.push(`${what}: ${describeApiError(error)}`);
      }
    };

    const sync = async (scope: string): Promise<void> => {
      const path = reportsPath(this.api, scope);
      const where = scope === '' ? '(cluster)' : scope;
      const have = existing.get(scope)?.shards ?? new Map<string, ExistingShard>();
      const stamps = existing.get(scope)?.stamps ?? new Map<string, Timestamp>();
      const want = shardsOf(scope, chain(reportedIn(report.results, scope, ranges.get(scope)), skipped.get(scope) ?? []), shardOptions);
      for (const shard of want) {
        const name = shard.metadata.name;
        const stored = have.get(name);
        if (!stored) {
          await attempt(`${where}/${name}`, () => this.options.client.request('POST', path, { body: shard }), 'created');
          continue;
        }
        const next = merge(shard, stored, stamps);
        if (contentDigest(next, this.api) === stored.digest) {
          counts.unchanged++;
          continue;
        }
        // The resourceVersion listed: a report changed since (by anyone) answers 409 and waits for the next scan.
        await attempt(`${where}/${name}`, () => this.options.client.request('PUT', `${path}/${encodeURIComponent(name)}`, { body: next }), 'updated');
      }
      const wanted = new Set(want.map((shard) => shard.metadata.name));
      for (const name of have.keys()) {
        if (!wanted.has(name)) await attempt(`${where}/${name}`, () => this.options.client.request('DELETE', `${path}/${encodeURIComponent(name)}`), 'deleted', true);
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < scopes.length && !options.signal?.aborted) {
        const scope = scopes[next++];
        if (scope !== undefined) await sync(scope);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 4) }, worker));
    if (failures.length > 0) log.warn({ failed: failures.length, examples: failures.slice(0, 3) }, `some ${this.api.kind}s could not be written; the next scan tries again`);
    return counts;
  }
}
