// What one periodic scan found, as the main thread needs it: the log line and the metrics. Made where
// the report is (in the worker thread, or in process) so that the report itself never has to cross.
import type { ActiveMode } from '../rules/types.js';
import { summarize, type AuditMetric, type AuditReport } from './report.js';

export interface AuditedScan {
  objects: number;
  namespaces: number;
  /** Result lines by their mode as if enforced. */
  findings: Record<ActiveMode, number>;
  errors: number;
  /** The first few errors, as `file: message`. */
  firstErrors: string[];
  elapsedMs: number | undefined;
  /** The metric samples (results and objects per rule, check, namespace and modes). */
  samples: AuditMetric[];
}

export function auditedScanOf(report: AuditReport): AuditedScan {
  return {
    objects: report.summary.resources,
    namespaces: report.namespacesAudited,
    findings: { ...report.summary.enforced },
    errors: report.errors.length,
    firstErrors: report.errors.slice(0, 3).map((error) => `${error.file}: ${error.message}`),
    elapsedMs: report.elapsedMs,
    samples: summarize(report),
  };
}
