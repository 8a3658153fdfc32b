// One scan of the periodic audit, started by PeriodicAudit each interval: in the server, in a worker
// thread (workerScans), so that listing and judging 100,000 pods never holds up the event loop that
// answers admission requests and its heap is bounded apart from the server's; in process
// (inProcessScans) for a lister of one's own (tests, a library user). Either way a scan first audits
// (`audited`: what the log line and the metrics need), then, if PeriodicAudit still wants them, writes
// the reports, and is closed: a scan closed while it runs ends at once.
import type { ResourceLimits } from 'node:worker_threads';
import type { KubeconfigTransport } from '../kube/api-request.js';
import type { KubeTransport } from '../kube/json-client.js';
import type { PolicyConfig } from '../rules/types.js';
import { auditCluster } from './audit-cluster.js';
import type { ReportApiName } from './reports/report-api.js';
import type { ReportCounts, ReportLog, ReportWriter } from './reports/writer.js';
import type { AuditReport } from './report.js';
import { auditedScanOf, type AuditedScan } from './scan-summary.js';
import type { ClusterLister } from './scan.js';
import { AuditThread, requestMode } from './worker/thread.js';

export interface ScanRun {
  /** Lists and judges the cluster. Rejects when the scan fails or is closed. */
  readonly audited: Promise<AuditedScan>;
  /** Writes the reports of the audited scan; absent when this audit writes none. */
  readonly writeReports: ((now: Date) => Promise<ReportCounts | undefined>) | undefined;
  /** Ends the scan, at once if it still runs, and lets go of what it holds. */
  close(): Promise<void>;
}

export type ScanStarter = () => ScanRun;

export interface InProcessScanOptions {
  lister: ClusterLister;
  config: PolicyConfig;
  pageSize?: number | undefined;
  reports?: Pick<ReportWriter, 'write'> | undefined;
}

/** Scans in this thread. A closed scan lists no further page. */
export function inProcessScans(options: InProcessScanOptions): ScanStarter {
  return () => {
    const abort = new AbortController();
    const { signal } = abort;
    const inner = options.lister;
    const lister: ClusterLister = {
      source: inner.source,
      async listPage(resource, request) {
        signal.throwIfAborted();
        return inner.listPage(resource, request);
      },
      async readNamespace(name) {
        signal.throwIfAborted();
        return inner.readNamespace(name);
      },
    };
    let report: AuditReport | undefined;
    const audited = auditCluster(lister, options.config, { ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}) }).then((done) => {
      report = done;
      return auditedScanOf(done);
    });
    const reports = options.reports;
    return {
      audited,
      writeReports: reports
        ? async (now) => {
            if (!report) throw new Error('no audited scan to write reports of');
            return reports.write(report, { now, signal });
          }
        : undefined,
      async close() {
        abort.abort(new Error('the scan was closed'));
        report = undefined;
      },
    };
  };
}

export interface WorkerScanOptions {
  /** Whose credentials the worker's requests carry (client-node's, in the main thread), or who sends them. */
  transport: KubeTransport & Partial<Pick<KubeconfigTransport, 'credentials'>>;
  config: PolicyConfig;
  pageSize?: number | undefined;
  /** Write reports of this API, at most this many results per namespace. */
  reports?: { api: ReportApiName; maxResults?: number } | undefined;
  /** List requests give up after this long. */
  timeoutMs?: number;
  /** The worker's V8 heap. */
  resourceLimits?: ResourceLimits;
  /** Lower the worker thread's CPU priority below the main thread's. */
  lowPriority?: boolean;
  /** Where the report writer's warnings go. */
  log: ReportLog;
}

/** Scans in a worker thread, one thread per scan: its heap is given back when the scan ends. */
export function workerScans(options: WorkerScanOptions): ScanStarter {
  return () => {
    let thread: AuditThread | undefined;
    let closed = false;
    const started = requestMode(options.transport).then((mode) => {
      if (closed) throw new Error('the audit was stopped');
      thread = new AuditThread(
        { config: options.config, pageSize: options.pageSize, reports: options.reports },
        {
          transport: options.transport,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
          lowPriority: options.lowPriority ?? false,
          onLog: (_level, fields, msg) => options.log.warn(fields, msg),
        },
        mode,
      );
      return thread;
    });
    const audited = started.then((running) => running.next('audited')).then((message) => message.scan);
    // Settled either way by `close` at the latest; a rejection is read where `audited` is awaited.
    audited.catch(() => undefined);
    return {
      audited,
      writeReports: options.reports
        ? async (now) => {
            const running = await started;
            const written = running.next('reports-written');
            running.post({ type: 'write-reports', now: now.getTime() });
            return (await written).counts;
          }
        : undefined,
      async close() {
        closed = true;
        await thread?.terminate();
      },
    };
  };
}
