// The audit: list the cluster, judge every object with the one engine as if every rule were enforced,
// report what enforcing would break. The CLI's `policygate audit` and the server's periodic audit use this.
export { auditCluster, type AuditClusterOptions, type AuditProgress } from './audit-cluster.js';
export { AuditCollector, auditObjects, type CollectorOptions } from './collect.js';
export { AuditEvaluator, AUDITED_RULES, CHANGE_RULES, asEnforced, type AuditFinding, type ObjectAudit } from './evaluate.js';
export { pathInOwner, type ObjectRef } from './owners.js';
export { progressLine, type ProgressLine } from './progress.js';
export { auditJsonChunks, formatAuditJson, type AuditJsonReport } from './report-json.js';
export { auditTextLines, formatAuditText, type AuditTextOptions } from './report-text.js';
export {
  auditExitCode,
  capResults,
  compareResults,
  summarize,
  type AuditError,
  type AuditMetric,
  type AuditReport,
  type AuditResult,
  type AuditSummary,
  type CheckCount,
  type NamespaceCount,
} from './report.js';
export { AUDITED_RESOURCES, collectionPath, objectPath, type AuditedResource } from './resources.js';
export { kubeLister, type KubeListerOptions } from './kube-lister.js';
export { apiLister, listAll, type ClusterLister, type ListPage, type ListRequest } from './scan.js';
export { inProcessScans, workerScans, type InProcessScanOptions, type ScanRun, type ScanStarter, type WorkerScanOptions } from './scans.js';
export { auditedScanOf, type AuditedScan } from './scan-summary.js';
export {
  AUDIT_LEASE_NAME,
  AUDIT_WORKER_HEAP,
  createLeaseElector,
  PeriodicAudit,
  parseAuditInterval,
  startClusterAudit,
  type AuditSink,
  type ClusterAudit,
  type ClusterAuditOptions,
  type PeriodicAuditOptions,
  type ScanOutcome,
} from './periodic.js';
export { REPORT_API_NAMES, REPORT_APIS, reportsPath, type ReportApi, type ReportApiName } from './reports/report-api.js';
export { DEFAULT_MAX_RESULTS, MANAGED_BY, OMITTED_ANNOTATION, reportsOf, SHARD_BYTES, SHARD_RESULTS, shardsOf, type PolicyReportObject, type ReportResult } from './reports/shards.js';
export { ReportWriter, type ReportCounts, type ReportLog, type ReportWriterOptions } from './reports/writer.js';
