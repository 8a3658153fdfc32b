// The webhook's Prometheus metrics, in a registry of its own per app (two apps in one process, as in the
// tests, never share or clash). Label values are bounded: kinds the rules do not know are counted as
// `other`, so a caller cannot grow the series without limit.
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Decision } from '../admission/index.js';
import type { AuditMetric } from '../audit/index.js';
import { expiryInstant } from '../rules/exceptions/expiry.js';
import type { ExceptionConfig } from '../rules/types.js';

export type Webhook = 'validate' | 'mutate';

/** What /validate and /mutate answered: the admission decision, or `patched` for a mutation with a patch. */
export type DecisionLabel = 'allowed' | 'denied' | 'error' | 'patched';

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag, ...) with prom-client's standard names. */
  processMetrics?: boolean;
  /** Read when /metrics is scraped. */
  namespaceCacheSize?: () => number | undefined;
  /** The periodic audit's gauges (`serve --audit-interval`). */
  audit?: boolean;
  /** The configured exceptions: their uses are counted from 0, their time left is exported. */
  exceptions?: readonly ExceptionConfig[];
  /** The clock the time left is read against, in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/** The periodic audit's gauges: what the last scan this replica completed as the leader found. */
export interface AuditGauges {
  setLeader(leader: boolean): void;
  /** Replaces every violation series with the scan's (series of a previous scan that are gone vanish). */
  recordScan(scan: { samples: readonly AuditMetric[]; completedAt: Date; durationSeconds: number; errors: number }): void;
  /** Drops the violation series (a replica that stops leading stops reporting them). */
  clearViolations(): void;
}

export interface Metrics {
  registry: Registry;
  recordDecision(webhook: Webhook, kind: string, operation: string, decision: DecisionLabel, seconds: number, result: Pick<Decision, 'findings' | 'errors' | 'excepted'>): void;
  recordBadRequest(webhook: string, statusCode: number): void;
  recordInternalError(webhook: Webhook): void;
  setCertificateExpiry(notAfter: Date): void;
  recordCertificateReload(result: 'success' | 'failure'): void;
  recordNamespaceLookup(source: 'cache' | 'api', result: 'found' | 'error'): void;
  recordPolicyLabelReview(source: 'cache' | 'api', result: 'allowed' | 'denied' | 'error'): void;
  recordWebhookRegistration(configuration: 'validating' | 'mutating', result: 'created' | 'updated' | 'unchanged' | 'error'): void;
  /** With `audit: true`. */
  audit?: AuditGauges;
}

export const METRIC_NAMES = {
  requests: 'policygate_admission_requests_total',
  duration: 'policygate_admission_duration_seconds',
  findings: 'policygate_findings_total',
  ruleErrors: 'policygate_rule_errors_total',
  internalErrors: 'policygate_internal_errors_total',
  badRequests: 'policygate_bad_requests_total',
  cacheSize: 'policygate_namespace_cache_size',
  namespaceLookups: 'policygate_namespace_lookups_total',
  policyLabelReviews: 'policygate_policy_label_reviews_total',
  webhookRegistrations: 'policygate_webhook_registrations_total',
  certificateExpiry: 'policygate_serving_certificate_expiry_timestamp_seconds',
  certificateReloads: 'policygate_certificate_reloads_total',
  auditViolations: 'policygate_audit_violations',
  auditLastCompleted: 'policygate_audit_last_completed_timestamp_seconds',
  auditDuration: 'policygate_audit_duration_seconds',
  auditErrors: 'policygate_audit_errors',
  auditLeader: 'policygate_audit_leader',
  exceptionUses: 'policygate_exception_uses_total',
  exceptionExpiry: 'policygate_exception_seconds_until_expiry',
} as const;

/** Admission decisions are fast: most of the range is below a millisecond; the API server gives up at 10–30 s. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  // The hot path counts into plain maps; prom-client gets the increments when /metrics is scraped.
  // (prom-client hashes the label set on every inc(), even through labels(): microseconds per request.)
  const pendingRequests = new PendingCounts<'webhook' | 'kind' | 'operation' | 'decision'>();
  const pendingFindings = new PendingCounts<'rule' | 'check' | 'mode'>();
  new Counter({
    name: METRIC_NAMES.requests,
    help: 'AdmissionReviews answered, by webhook, kind, operation and decision',
    labelNames: ['webhook', 'kind', 'operation', 'decision'] as const,
    registers: [registry],
    collect() {
      pendingRequests.flushInto(this);
    },
  });
  const duration = new LatencyHistogram(METRIC_NAMES.duration, 'Time from a parsed AdmissionReview to its answer, in seconds', DURATION_BUCKETS);
  registry.registerMetric(duration as unknown as Metric<string>);
  new Counter({
    name: METRIC_NAMES.findings,
    help: 'Findings raised by the validating webhook, by rule, check and mode',
    labelNames: ['rule', 'check', 'mode'] as const,
    registers: [registry],
    collect() {
      pendingFindings.flushInto(this);
    },
  });
  const ruleErrors = new Counter({
    name: METRIC_NAMES.ruleErrors,
    help: 'Rules and mutations that threw while judging a request (the request was still answered)',
    labelNames: ['webhook', 'rule'] as const,
    registers: [registry],
  });
  const internalErrors = new Counter({
    name: METRIC_NAMES.internalErrors,
    help: 'Requests whose evaluation failed outside any rule (answered: validate fails closed, mutate leaves the object unchanged)',
    labelNames: ['webhook'] as const,
    registers: [registry],
  });
  const badRequests = new Counter({
    name: METRIC_NAMES.badRequests,
    help: 'Requests refused before evaluation (400 malformed, 413 too large, 415 wrong content type, ...)',
    labelNames: ['webhook', 'code'] as const,
    registers: [registry],
  });
  // Every namespace-cache hit is a lookup: counted like the requests, on the hot path.
  const pendingLookups = new PendingCounts<'source' | 'result'>();
  new Counter({
    name: METRIC_NAMES.namespaceLookups,
    help: 'Namespace lookups (the labels of the namespace an object is in), by where the answer came from and whether it failed',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
    collect() {
      pendingLookups.flushInto(this);
    },
  });
  const policyLabelReviews = new Counter({
    name: METRIC_NAMES.policyLabelReviews,
    help: 'Questions to the cluster whether a user may change a namespace\'s guarded labels (SubjectAccessReviews), by where the answer came from and what it was',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
  });
  const webhookRegistrations = new Counter({
    name: METRIC_NAMES.webhookRegistrations,
    help: 'Passes of serve --register-webhooks over each webhook configuration, by what it did (created, updated, unchanged, error)',
    labelNames: ['configuration', 'result'] as const,
    registers: [registry],
  });
  const certificateExpiry = new Gauge({
    name: METRIC_NAMES.certificateExpiry,
    help: 'When the serving certificate expires, in seconds since the Unix epoch',
    registers: [registry],
  });
  const certificateReloads = new Counter({
    name: METRIC_NAMES.certificateReloads,
    help: 'Reloads of the serving certificate and key after they changed on disk',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const readCacheSize = options.namespaceCacheSize;
  if (readCacheSize) {
    new Gauge({
      name: METRIC_NAMES.cacheSize,
      help: 'Namespaces held in the watch-backed cache',
      registers: [registry],
      collect() {
        const size = readCacheSize();
        if (size !== undefined) this.set(size);
      },
    });
  }

  const exceptionUses = createExceptionMetrics(registry, options.exceptions ?? [], options.now ?? Date.now);
  const audit = options.audit ? createAuditGauges(registry) : undefined;
  const durationSeries = { validate: duration.series({ webhook: 'validate' }), mutate: duration.series({ webhook: 'mutate' }) };

  return {
    registry,
    recordDecision(webhook, kind, operation, decision, seconds, result) {
      const requestKey = `${webhook}\0${kind}\0${operation}\0${decision}`;
      if (!pendingRequests.increment(requestKey)) pendingRequests.start(requestKey, { webhook, kind, operation, decision });
      durationSeries[webhook].observe(seconds);
      for (const finding of result.findings) {
        const findingKey = `${finding.rule}\0${finding.check}\0${finding.mode}`;
        if (!pendingFindings.increment(findingKey)) pendingFindings.start(findingKey, { rule: finding.rule, check: finding.check, mode: finding.mode });
      }
      for (const error of result.errors) ruleErrors.inc({ webhook, rule: error.rule });
      if (result.excepted.length > 0) exceptionUses.record(result.excepted);
    },
    recordBadRequest(webhook, statusCode) {
      badRequests.inc({ webhook, code: String(statusCode) });
    },
    recordInternalError(webhook) {
      internalErrors.inc({ webhook });
    },
    setCertificateExpiry(notAfter) {
      certificateExpiry.set(Math.floor(notAfter.getTime() / 1000));
    },
    recordCertificateReload(result) {
      certificateReloads.inc({ result });
    },
    recordNamespaceLookup(source, result) {
      const lookupKey = `${source}\0${result}`;
      if (!pendingLookups.increment(lookupKey)) pendingLookups.start(lookupKey, { source, result });
    },
    recordPolicyLabelReview(source, result) {
      policyLabelReviews.inc({ source, result });
    },
    recordWebhookRegistration(configuration, result) {
      webhookRegistrations.inc({ configuration, result });
    },
    ...(audit ? { audit } : {}),
  };
}

/**
 * Per configured exception: how many requests it let through findings of (counted once per request,
 * from 0, so that an unused exception shows), and the seconds left until it expires (negative once it
 * has: it no longer applies), read from the clock at each scrape.
 */
function createExceptionMetrics(registry: Registry, exceptions: readonly ExceptionConfig[], now: () => number): { record(excepted: Decision['excepted']): void } {
  const uses = new Counter({
    name: METRIC_NAMES.exceptionUses,
    help: 'Requests in which a configured exception excepted findings (recorded, not enforced or warned about), by exception',
    labelNames: ['exception'] as const,
    registers: [registry],
  });
  for (const exception of exceptions) uses.inc({ exception: exception.name }, 0);
  const expiring = exceptions.flatMap((exception) => {
    const instant = exception.expires === undefined ? undefined : expiryInstant(exception.expires);
    return instant === undefined ? [] : [{ name: exception.name, instant }];
  });
  if (expiring.length > 0) {
    new Gauge({
      name: METRIC_NAMES.exceptionExpiry,
      help: 'Seconds until a configured exception expires (negative once it has, and no longer applies), by exception',
      labelNames: ['exception'] as const,
      registers: [registry],
      collect() {
        const at = now();
        for (const { name, instant } of expiring) this.set({ exception: name }, Math.round((instant - at) / 1000));
      },
    });
  }
  const known = new Set(exceptions.map((exception) => exception.name));
  return {
    record(excepted) {
      const seen = new Set<string>();
      for (const finding of excepted) {
        const name = finding.exception;
        // Only configured names: the label set stays bounded by the configuration.
        if (name === undefined || seen.has(name) || !known.has(name)) continue;
        seen.add(name);
        uses.inc({ exception: name });
      }
    },
  };
}

function createAuditGauges(registry: Registry): AuditGauges {
  const violations = new Gauge({
    name: METRIC_NAMES.auditViolations,
    help: 'Findings of the last periodic audit (report lines: one per reported object and field), by rule, check, namespace and mode as if enforced; only the leader exports them',
    labelNames: ['rule', 'check', 'namespace', 'mode'] as const,
    registers: [registry],
  });
  const lastCompleted = new Gauge({
    name: METRIC_NAMES.auditLastCompleted,
    help: 'When this replica last completed a periodic audit, in seconds since the Unix epoch',
    registers: [registry],
  });
  const duration = new Gauge({
    name: METRIC_NAMES.auditDuration,
    help: 'How long the last completed periodic audit took to list and judge the cluster, in seconds',
    registers: [registry],
  });
  const errors = new Gauge({
    name: METRIC_NAMES.auditErrors,
    help: 'Errors in the last completed periodic audit: kinds that could not be listed, objects a rule could not judge',
    registers: [registry],
  });
  const leader = new Gauge({
    name: METRIC_NAMES.auditLeader,
    help: '1 while this replica holds the audit Lease (and runs the periodic audit), else 0',
    registers: [registry],
  });
  leader.set(0);
  return {
    setLeader(isLeader) {
      leader.set(isLeader ? 1 : 0);
    },
    recordScan(scan) {
      // reset() and the sets below run without a pause, so a scrape never sees half of a scan.
      violations.reset();
      const totals = new Map<string, { labels: { rule: string; check: string; namespace: string; mode: string }; count: number }>();
      for (const sample of scan.samples) {
        const key = `${sample.rule}\0${sample.check}\0${sample.namespace}\0${sample.enforcedMode}`;
        const total = totals.get(key);
        if (total) total.count += sample.results;
        else totals.set(key, { labels: { rule: sample.rule, check: sample.check, namespace: sample.namespace, mode: sample.enforcedMode }, count: sample.results });
      }
      for (const { labels, count } of totals.values()) violations.set(labels, count);
      lastCompleted.set(scan.completedAt.getTime() / 1000);
      duration.set(scan.durationSeconds);
      errors.set(scan.errors);
    },
    clearViolations() {
      violations.reset();
    },
  };
}

/** Increments kept by label set until the next scrape, then handed to the prom-client counter. */
class PendingCounts<Label extends string> {
  private readonly pending = new Map<string, { labels: Partial<Record<Label, string>>; count: number }>();

  /** Counts one more for a label set seen before; false when it is new (then call start). */
  increment(key: string): boolean {
    const entry = this.pending.get(key);
    if (!entry) return false;
    entry.count++;
    return true;
  }

  start(key: string, labels: Partial<Record<Label, string>>): void {
    this.pending.set(key, { labels, count: 1 });
  }

  flushInto(counter: Counter<Label>): void {
    for (const entry of this.pending.values()) {
      if (entry.count === 0) continue;
      counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

interface HistogramSeries {
  labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram that costs a loop over the bounds per observation, exported in prom-client's
 * format (prom-client's own Histogram hashes the labels and allocates on every observe()).
 */
class LatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  series(labels: Record<string, string>): { observe(value: number): void } {
    const series: HistogramSeries = { labels, buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
    this.all.push(series);
    const bounds = this.bounds;
    return {
      observe(value: number) {
        let index = 0;
        while (index < bounds.length && value > (bounds[index] ?? Infinity)) index++;
        series.buckets[index] = (series.buckets[index] ?? 0) + 1;
        series.sum += value;
        series.count++;
      },
    };
  }

  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const series of this.all) {
      let cumulative = 0;
      for (const [index, bound] of this.bounds.entries()) {
        cumulative += series.buckets[index] ?? 0;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const series of this.all) {
      series.buckets.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
