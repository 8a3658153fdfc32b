// The periodic audit inside `policygate serve --audit-interval`: while this replica leads (holds the
// `policygate-audit` Lease), audit the cluster every interval, put what it found into the metrics and
// one log line, and optionally into reports (OpenReports, or PolicyReports: reports/).
//
// - Scans never overlap: the next one is scheduled when the last has ended, an interval after it began.
// - A replica that becomes the leader scans at once (unless it completed a scan less than an interval
//   ago); one that stops leading drops its violation series and throws away a scan still running.
// - A scan that fails (the API server is unreachable, the Namespaces cannot be listed) is logged and
//   changes nothing: the gauges keep the last completed scan, whose timestamp then grows old.
// - A scan with errors (a kind that could not be listed) is published with its error count, but does
//   not touch the reports: with a kind missing, they would lose failures that are still there.
// - stop() (the server's shutdown) ends it: no new scan, the running one is closed (its worker thread
//   ends at once), and no write follows.
// - In the server each scan runs in a worker thread (scans.ts, worker/): admission requests are
//   answered on the main thread's event loop while 100,000 pods are judged, and the scan's heap has
//   limits of its own, given back when the scan ends.
import { readFileSync } from 'node:fs';
import type { ResourceLimits } from 'node:worker_threads';
import type { Logger } from 'pino';
import { InputError } from '../errors.js';
import { kubeJsonClient, kubeTransport, LeaderElector, leaderIdentity, SERVICE_ACCOUNT_DIR, type Leadership } from '../kube/index.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PolicyConfig } from '../rules/types.js';
import type { ReportApiName } from './reports/report-api.js';
import type { ReportCounts } from './reports/writer.js';
import type { AuditMetric } from './report.js';
import type { AuditedScan } from './scan-summary.js';
import { workerScans, type ScanRun, type ScanStarter } from './scans.js';

/** A scan more often than this would list every pod in the cluster again before anyone looked. */
export const MIN_AUDIT_INTERVAL_MS = 60_000;
export const MAX_AUDIT_INTERVAL_MS = 24 * 3_600_000;
export const AUDIT_LEASE_NAME = 'policygate-audit';
export const DEFAULT_LEASE_NAMESPACE = 'policygate';
/**
 * The heap of a scan's worker thread: a young generation that holds the items being judged, and room
 * for the old one well beyond what 100,000 pods need (about 40 MB: result lines, owner index), so that
 * a scan that would outgrow it fails (logged, retried next interval) instead of the pod's memory limit
 * ending the webhook. README, "Scaling for a large cluster".
 */
export const AUDIT_WORKER_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 96 };

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h30m` → milliseconds; between 1 minute and 24 hours. */
export function parseAuditInterval(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const whole = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || whole !== text) throw new InputError(`--audit-interval must be a duration such as 30m, 1h or 1h30m (got ${JSON.stringify(text)})`);
  const ms = parts.reduce((sum, part) => sum + Number(part[1]) * (UNITS[part[2] ?? ''] ?? 0), 0);
  if (ms < MIN_AUDIT_INTERVAL_MS || ms > MAX_AUDIT_INTERVAL_MS) throw new InputError(`--audit-interval must be between 1m and 24h (got ${JSON.stringify(text)})`);
  return ms;
}

/** Where the scans' results go: the server's gauges (metrics.ts's AuditGauges). */
export interface AuditSink {
  setLeader(leader: boolean): void;
  recordScan(scan: { samples: readonly AuditMetric[]; completedAt: Date; durationSeconds: number; errors: number }): void;
  clearViolations(): void;
}

export type ScanOutcome =
  | { status: 'completed'; scan: AuditedScan; policyReports: ReportCounts | undefined }
  /** Stopped, or no longer the leader, while it ran: nothing published. */
  | { status: 'discarded'; reason: string }
  | { status: 'failed'; error: unknown };

export interface PeriodicAuditOptions {
  /** Starts one scan: in a worker thread (workerScans) or in process (inProcessScans). */
  scans: ScanStarter;
  intervalMs: number;
  logger: Logger;
  /** Default: this replica always leads (one replica, or tests). */
  leadership?: Leadership;
  sink?: AuditSink;
  /** Told of every scan's end (tests). */
  onScan?: (outcome: ScanOutcome) => void;
}

const ALWAYS_LEADER: Leadership = { isLeader: () => true, onChange: () => () => {} };

export class PeriodicAudit {
  private readonly leadership: Leadership;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The scan under way, closed by stop(). */
  private current: ScanRun | undefined;
  private lastStartedAt: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private started = false;

  constructor(private readonly options: PeriodicAuditOptions) {
    this.leadership = options.leadership ?? ALWAYS_LEADER;
  }

  start(): this {
    if (this.started || this.abort.signal.aborted) return this;
    this.started = true;
    this.unsubscribe = this.leadership.onChange((leader) => this.leadershipChanged(leader));
    this.leadershipChanged(this.leadership.isLeader());
    return this;
  }

  private leadershipChanged(leader: boolean): void {
    this.options.sink?.setLeader(leader);
    if (!leader) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.options.sink?.clearViolations();
      return;
    }
    if (this.running || this.timer) return;
    this.schedule();
  }

  /** The next scan an interval after the last one began (at once if none did). */
  private schedule(): void {
    if (this.abort.signal.aborted) return;
    const delay = this.lastStartedAt === undefined ? 0 : Math.max(0, this.lastStartedAt + this.options.intervalMs - Date.now());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.abort.signal.aborted || !this.leadership.isLeader() || this.running) return;
      this.running = this.scan()
        .then((outcome) => this.options.onScan?.(outcome))
        .finally(() => {
          this.running = undefined;
          if (this.leadership.isLeader()) this.schedule();
        });
    }, delay);
    this.timer.unref();
  }

  private discarded(): string | undefined {
    if (this.abort.signal.aborted) return 'the server is shutting down';
    if (!this.leadership.isLeader()) return 'this replica stopped being the leader';
    return undefined;
  }

  private async scan(): Promise<ScanOutcome> {
    this.lastStartedAt = Date.now();
    const run = this.options.scans();
    this.current = run;
    try {
      return await this.publish(run);
    } finally {
      this.current = undefined;
      await run.close();
    }
  }

  private async publish(run: ScanRun): Promise<ScanOutcome> {
    const { logger } = this.options;
    let scan: AuditedScan;
    try {
      scan = await run.audited;
    } catch (error) {
      const reason = this.discarded();
      if (reason) return { status: 'discarded', reason };
      logger.error({ err: error, retryInMs: this.options.intervalMs }, 'periodic audit failed; trying again at the next interval');
      return { status: 'failed', error };
    }
    const reason = this.discarded();
    if (reason) {
      logger.info({ reason }, 'periodic audit discarded');
      return { status: 'discarded', reason };
    }
    const completedAt = new Date();
    const durationSeconds = (scan.elapsedMs ?? Date.now() - (this.lastStartedAt ?? Date.now())) / 1000;
    this.options.sink?.recordScan({ samples: scan.samples, completedAt, durationSeconds, errors: scan.errors });

    let policyReports: ReportCounts | undefined;
    if (run.writeReports) {
      if (scan.errors === 0) {
        try {
          policyReports = await run.writeReports(completedAt);
        } catch (error) {
          if (!this.discarded()) logger.warn({ err: error }, 'writing the reports failed; the next scan tries again');
        }
      } else logger.warn({ errors: scan.errors }, 'reports left as they were: the audit could not read everything');
    }
    logger[scan.errors > 0 ? 'warn' : 'info'](
      {
        objects: scan.objects,
        namespaces: scan.namespaces,
        findings: scan.findings,
        errors: scan.errors,
        ...(scan.errors > 0 ? { firstErrors: scan.firstErrors } : {}),
        durationMs: Math.round(durationSeconds * 1000),
        ...(policyReports ? { policyReports } : {}),
      },
      'periodic audit completed',
    );
    return { status: 'completed', scan, policyReports };
  }

  /** No further scan; the one running is closed (a worker thread ends at once). Resolves when it has ended, or after `waitMs` (default 5 s). */
  async stop(waitMs = 5_000): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new Error('the periodic audit was stopped'));
    void this.current?.close();
    clearTimeout(this.timer);
    this.unsubscribe?.();
    // A replica on its way out exports no violations: the next leader does.
    this.options.sink?.setLeader(false);
    this.options.sink?.clearViolations();
    const running = this.running;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
}

/** The Lease's namespace: POD_NAMESPACE, else the service account's namespace (in a pod), else `policygate`. */
function leaseNamespace(env: NodeJS.ProcessEnv, pathPrefix = ''): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const fromServiceAccount = readFileSync(`${pathPrefix}${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim();
    if (fromServiceAccount !== '') return fromServiceAccount;
  } catch {
    // Not in a pod.
  }
  return DEFAULT_LEASE_NAMESPACE;
}

export interface LeaseOptions {
  namespace?: string;
  name?: string;
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/**
 * The elector of the Lease `policygate-audit` (in `leaseNamespace(env)`, this pod as
 * `leaderIdentity(env)`): the one leadership behind everything in `serve` that only one replica may do,
 * the periodic audit and the network baseline controller. Not started.
 */
export function createLeaseElector(options: { kubeConfig: KubeConfig; logger: Logger; env?: NodeJS.ProcessEnv; lease?: LeaseOptions }): LeaderElector {
  const env = options.env ?? process.env;
  return new LeaderElector({
    client: kubeJsonClient(options.kubeConfig),
    logger: options.logger,
    namespace: options.lease?.namespace ?? leaseNamespace(env),
    name: options.lease?.name ?? AUDIT_LEASE_NAME,
    identity: options.lease?.identity ?? leaderIdentity(env),
    ...(options.lease?.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.lease.leaseDurationSeconds } : {}),
    ...(options.lease?.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.lease.renewDeadlineMs } : {}),
    ...(options.lease?.retryPeriodMs !== undefined ? { retryPeriodMs: options.lease.retryPeriodMs } : {}),
  });
}

export interface ClusterAuditOptions {
  kubeConfig: KubeConfig;
  config: PolicyConfig;
  intervalMs: number;
  logger: Logger;
  sink?: AuditSink;
  /** Write reports of this API (undefined: none). */
  policyReports?: ReportApiName | undefined;
  /**
   * Who leads: an elector that the caller starts and stops (serve shares one with the network
   * baseline). Without it, one of `lease` is made, started and stopped with the audit.
   */
  elector?: LeaderElector;
  lease?: LeaseOptions;
  env?: NodeJS.ProcessEnv;
  pageSize?: number;
  /** The scan's worker thread's heap. Default AUDIT_WORKER_HEAP. */
  workerHeap?: ResourceLimits;
  onScan?: (outcome: ScanOutcome) => void;
}

export interface ClusterAudit {
  elector: LeaderElector;
  audit: PeriodicAudit;
  /** Stops scanning, then releases the Lease if the audit made its elector. */
  stop(): Promise<void>;
}

/** The periodic audit on a live cluster, led by a Lease: what `serve --audit-interval` starts. */
export function startClusterAudit(options: ClusterAuditOptions): ClusterAudit {
  const ownElector = options.elector === undefined;
  const elector = options.elector ?? createLeaseElector(options);
  const audit = new PeriodicAudit({
    scans: workerScans({
      transport: kubeTransport(options.kubeConfig),
      config: options.config,
      pageSize: options.pageSize,
      reports: options.policyReports ? { api: options.policyReports } : undefined,
      timeoutMs: 30_000,
      resourceLimits: options.workerHeap ?? AUDIT_WORKER_HEAP,
      lowPriority: true,
      log: options.logger,
    }),
    intervalMs: options.intervalMs,
    logger: options.logger,
    leadership: elector,
    ...(options.sink ? { sink: options.sink } : {}),
    ...(options.onScan ? { onScan: options.onScan } : {}),
  }).start();
  if (ownElector) elector.start();
  return {
    elector,
    audit,
    async stop() {
      await audit.stop();
      if (ownElector) await elector.stop();
    },
  };
}
