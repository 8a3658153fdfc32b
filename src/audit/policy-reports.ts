// The periodic audit's findings as PolicyReports (`wgpolicyk8s.io/v1alpha2`, the Kubernetes Policy
// working group's format that Kyverno and policy-reporter read): one report named `policygate` per
// namespace with failures, failures only, capped.
//
// A failure is a finding that enforcing would refuse (`enforcedMode: enforce`); findings that would
// only warn or be recorded stay in the metrics. A finding that enforcing would refuse but a configured
// exception excepts is a `skip` result, naming the exception (after the failures, within the cap). Each report lists at most `maxResults` of them (the
// first in the audit's order) and its `summary.fail` counts all of them; the annotation
// `policygate.dev/omitted-results` says how many were left out. Reports are the etcd objects of other
// people's clusters: a report that would not change is not written, a result keeps the timestamp of
// the scan that first found it, and a namespace without failures has its report deleted.
import { apiStatusOf, describeApiError } from '../kube/api-error.js';
import type { KubeJsonClient } from '../kube/json-client.js';
import type { ExceptedResult } from './exceptions.js';
import { namespaceKeyOf, type AuditReport, type AuditResult } from './report.js';

const POLICY_REPORT_NAME = 'policygate';
export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
/** Results per report: about 50 KB of etcd at most. */
export const DEFAULT_MAX_REPORT_RESULTS = 100;
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'policygate' } as const;
export const OMITTED_ANNOTATION = 'policygate.dev/omitted-results';
const MAX_MESSAGE_LENGTH = 1024;
const API = `/apis/${POLICY_REPORT_API_VERSION}`;
const MANAGED_BY_SELECTOR = Object.entries(MANAGED_BY).map(([key, value]) => `${key}=${value}`).join(',');

export interface PolicyReportResult {
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

export interface PolicyReport {
  apiVersion: typeof POLICY_REPORT_API_VERSION;
  kind: 'PolicyReport';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  /** `skip` only when something was excepted, so that reports without exceptions keep their shape. */
  summary: { fail: number; skip?: number };
  results: PolicyReportResult[];
}

function resultOf(result: AuditResult | ExceptedResult, seconds: number): PolicyReportResult {
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

/**
 * The reports the audit calls for, by namespace: failures only, the first `maxResults` in the audit's
 * order. A Namespace's own findings (a missing label) go into its report.
 */
export function policyReportsOf(
  report: Pick<AuditReport, 'results'> & { exceptions?: Pick<AuditReport['exceptions'], 'excepted'> },
  options: { maxResults?: number; now: Date },
): Map<string, PolicyReport> {
  const max = options.maxResults ?? DEFAULT_MAX_REPORT_RESULTS;
  const seconds = Math.floor(options.now.getTime() / 1000);
  const reports = new Map<string, PolicyReport>();
  const add = (result: AuditResult | ExceptedResult) => {
    if (result.enforcedMode !== 'enforce') return;
    const namespace = namespaceKeyOf(result);
    if (namespace === '') return;
    let policyReport = reports.get(namespace);
    if (!policyReport) {
      policyReport = {
        apiVersion: POLICY_REPORT_API_VERSION,
        kind: 'PolicyReport',
        metadata: { name: POLICY_REPORT_NAME, namespace, labels: { ...MANAGED_BY } },
        summary: { fail: 0 },
        results: [],
      };
      reports.set(namespace, policyReport);
    }
    if ('exception' in result) policyReport.summary.skip = (policyReport.summary.skip ?? 0) + 1;
    else policyReport.summary.fail++;
    if (policyReport.results.length < max) policyReport.results.push(resultOf(result, seconds));
  };
  // Failures first: when a report is capped, they are what must be seen.
  for (const result of report.results) add(result);
  for (const result of report.exceptions?.excepted ?? []) add(result);
  for (const policyReport of reports.values()) {
    const omitted = policyReport.summary.fail + (policyReport.summary.skip ?? 0) - policyReport.results.length;
    if (omitted > 0) policyReport.metadata.annotations = { [OMITTED_ANNOTATION]: String(omitted) };
  }
  return reports;
}

/** JSON with keys sorted: the API server need not give fields back in the order they were sent. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function resultKey(result: Pick<PolicyReportResult, 'policy' | 'rule' | 'message' | 'resources' | 'properties'>): string {
  return canonical([result.policy, result.rule, result.message, result.resources, result.properties]);
}

/** The desired report as a write over the existing one: its metadata kept, results found before keep their timestamp. */
function merge(desired: PolicyReport, existing: PolicyReport): PolicyReport {
  const seen = new Map<string, PolicyReportResult['timestamp']>();
  for (const result of Array.isArray(existing.results) ? existing.results : []) seen.set(resultKey(result), result.timestamp);
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
    results: desired.results.map((result) => ({ ...result, timestamp: seen.get(resultKey(result)) ?? result.timestamp })),
  };
}

function unchanged(next: PolicyReport, existing: PolicyReport): boolean {
  const content = (report: PolicyReport) => canonical([report.metadata.labels ?? {}, report.metadata.annotations ?? {}, report.summary, report.results]);
  return content(next) === content(existing);
}

export interface PolicyReportCounts {
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

export interface PolicyReportWriterOptions {
  client: KubeJsonClient;
  /** Where the writer says what went wrong (a pino logger will do). */
  log: ReportLog;
  maxResults?: number;
  /** Writes in flight at once. Default 4. */
  concurrency?: number;
}

/** Brings the cluster's `policygate` PolicyReports in line with an audit: create, update, delete. */
export class PolicyReportWriter {
  constructor(private readonly options: PolicyReportWriterOptions) {}

  /** Our reports as they are: every `policygate` PolicyReport labelled as ours, by namespace. */
  private async existing(signal: AbortSignal | undefined): Promise<Map<string, PolicyReport>> {
    const found = new Map<string, PolicyReport>();
    let continueToken: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = (await this.options.client.request('GET', `${API}/policyreports`, {
        query: { labelSelector: MANAGED_BY_SELECTOR, limit: '100', continue: continueToken },
        timeoutMs: 30_000,
      })) as { items?: PolicyReport[]; metadata?: { continue?: string } } | undefined;
      for (const item of page?.items ?? []) {
        if (item.metadata?.name === POLICY_REPORT_NAME && typeof item.metadata.namespace === 'string') found.set(item.metadata.namespace, item);
      }
      continueToken = page?.metadata?.continue || undefined;
    } while (continueToken !== undefined);
    return found;
  }

  /**
   * Writes the reports `report` calls for. Never throws: a failed write is counted and logged, and the
   * next scan tries again. Undefined when PolicyReports cannot be listed (the CRD is not installed, RBAC).
   */
  async write(report: Pick<AuditReport, 'results'> & { exceptions?: Pick<AuditReport['exceptions'], 'excepted'> }, options: { now: Date; signal?: AbortSignal }): Promise<PolicyReportCounts | undefined> {
    const logger = this.options.log;
    const counts: PolicyReportCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
    let existing: Map<string, PolicyReport>;
    try {
      existing = await this.existing(options.signal);
    } catch (error) {
      if (options.signal?.aborted) return undefined;
      const hint = apiStatusOf(error) === 404 ? ` (is the ${POLICY_REPORT_API_VERSION} PolicyReport CRD installed?)` : '';
      logger.warn({ reason: describeApiError(error) }, `cannot list PolicyReports${hint}; none written`);
      return undefined;
    }
    const desired = policyReportsOf(report, { now: options.now, ...(this.options.maxResults !== undefined ? { maxResults: this.options.maxResults } : {}) });
    const namespaces = [...new Set([...desired.keys(), ...existing.keys()])].sort();
    const failures: string[] = [];

    const sync = async (namespace: string): Promise<void> => {
      const path = `${API}/namespaces/${encodeURIComponent(namespace)}/policyreports`;
      const want = desired.get(namespace);
      const have = existing.get(namespace);
      try {
        if (!want) {
          await this.options.client.request('DELETE', `${path}/${POLICY_REPORT_NAME}`);
          counts.deleted++;
        } else if (!have) {
          await this.options.client.request('POST', path, { body: want });
          counts.created++;
        } else {
          const next = merge(want, have);
          if (unchanged(next, have)) {
            counts.unchanged++;
            return;
          }
          // The resourceVersion read above: a report changed since (by anyone) answers 409 and waits for the next scan.
          await this.options.client.request('PUT', `${path}/${POLICY_REPORT_NAME}`, { body: next });
          counts.updated++;
        }
      } catch (error) {
        if (!want && apiStatusOf(error) === 404) {
          counts.deleted++;
          return;
        }
        counts.failed++;
        failures.push(`${namespace}: ${describeApiError(error)}`);
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < namespaces.length && !options.signal?.aborted) {
        const namespace = namespaces[next++];
        if (namespace !== undefined) await sync(namespace);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 4) }, worker));
    if (failures.length > 0) logger.warn({ failed: failures.length, examples: failures.slice(0, 3) }, 'some PolicyReports could not be written; the next scan tries again');
    return counts;
  }
}
