// The messages between the main thread and the audit's worker thread, and the job it runs.
// Everything here crosses the thread boundary by structured clone (bodies as transferred buffers), so
// it is plain data: no classes, no functions.
import type { RequestCredentials } from '../../kube/https-request.js';
import type { KubeRequest } from '../../kube/json-client.js';
import type { PolicyConfig } from '../../rules/types.js';
import type { ReportApiName } from '../reports/report-api.js';
import type { ReportCounts } from '../reports/writer.js';
import type { AuditedScan } from '../scan-summary.js';

/** The periodic audit's scan: audit, hand over the summary, then write reports if asked. */
export interface ScanJob {
  config: PolicyConfig;
  pageSize: number | undefined;
  /** Write reports of this API when asked (`write-reports`). */
  reports: { api: ReportApiName; maxResults?: number } | undefined;
}

/** What the worker is started with. */
export interface WorkerData {
  job: ScanJob;
  /** The API server's URL (for the report's heading and the lister's source). */
  server: string;
  /** List requests give up after this long. */
  timeoutMs: number;
  /** Lower the thread's CPU priority: the main thread answers admission requests. */
  lowPriority: boolean;
  /**
   * `direct`: the worker sends its requests itself, with credentials the main thread fills in for each;
   * `relayed`: the main thread sends them (a cluster reached through a proxy, whose agent only it has).
   */
  requests: 'direct' | 'relayed';
}

/** An error that crossed the boundary: enough to rebuild what describeApiError and the CLI read. */
export interface SerializedError {
  name: string;
  message: string;
  /** An HTTP error's status and body (KubeApiError). */
  code?: number;
  body?: string;
  cause?: { name: string; message: string };
}

export type ToWorker =
  | { type: 'response'; id: number; status: number; body: Uint8Array }
  | { type: 'request-failed'; id: number; error: SerializedError }
  | { type: 'credentials'; id: number; credentials: RequestCredentials }
  /** The scan job: write the reports of this scan (at this time). */
  | { type: 'write-reports'; now: number };

export type FromWorker =
  | { type: 'request'; id: number; request: Omit<KubeRequest, 'signal'> }
  /** The credentials for one request the worker sends itself; answered `credentials` or `request-failed`. */
  | { type: 'credentials'; id: number }
  | { type: 'abort'; id: number }
  | { type: 'audited'; scan: AuditedScan }
  | { type: 'reports-written'; counts: ReportCounts | undefined }
  /** A line for the main thread's log. */
  | { type: 'log'; level: 'warn'; fields: Record<string, unknown>; msg: string }
  | { type: 'failed'; error: SerializedError };
