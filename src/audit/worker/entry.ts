// The periodic audit's worker thread: one scan of the cluster (auditCluster, exactly as `policygate
// audit` runs it in process), on a thread of its own so that judging 100,000 pods never holds up the
// event loop that answers the API server's admission requests, with a V8 heap of its own whose limits
// the main thread sets, and without client-node: the main thread gives it the credentials of each
// request, or sends them for it (requests.ts). It audits, hands over what the log line and the metrics need, then writes the
// reports when the main thread says so (it checks first that this replica still leads), and says what
// was written. Anything that fails is sent as a `failed` message; the main thread ends the thread.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { jsonClient } from '../../kube/json-client.js';
import { auditCluster } from '../audit-cluster.js';
import { REPORT_APIS } from '../reports/report-api.js';
import { ReportWriter } from '../reports/writer.js';
import { auditedScanOf } from '../scan-summary.js';
import { apiLister } from '../scan.js';
import { serializeError } from './errors.js';
import type { FromWorker, ScanJob, ToWorker, WorkerData } from './protocol.js';
import { portTransport } from './requests.js';

if (!parentPort) throw new Error('the audit worker runs in a worker thread');
const port = parentPort;
const data = workerData as WorkerData;
const post = (message: FromWorker) => port.postMessage(message);

const transport = portTransport(port, data.server, data.requests);
const client = jsonClient(transport, { timeoutMs: data.timeoutMs });

/** Messages other than request answers, each handed to the first waiter for its type. */
const waiting = new Map<ToWorker['type'], (message: ToWorker) => void>();
port.on('message', (message: ToWorker) => {
  if (transport.receive(message)) return;
  const wake = waiting.get(message.type);
  waiting.delete(message.type);
  wake?.(message);
});
function next<T extends ToWorker['type']>(type: T): Promise<Extract<ToWorker, { type: T }>> {
  return new Promise((resolve) => waiting.set(type, resolve as (message: ToWorker) => void));
}

async function runScan(job: ScanJob): Promise<void> {
  const report = await auditCluster(apiLister(transport, { timeoutMs: data.timeoutMs }), job.config, { ...(job.pageSize !== undefined ? { pageSize: job.pageSize } : {}) });
  const asked = next('write-reports');
  post({ type: 'audited', scan: auditedScanOf(report) });
  const { now } = await asked;
  if (!job.reports) {
    post({ type: 'reports-written', counts: undefined });
    return;
  }
  const log = {
    warn: (fields: Record<string, unknown>, msg: string) => post({ type: 'log', level: 'warn', fields, msg }),
  };
  const writer = new ReportWriter({ client, log, api: REPORT_APIS[job.reports.api], ...(job.reports.maxResults !== undefined ? { maxResults: job.reports.maxResults } : {}) });
  post({ type: 'reports-written', counts: await writer.write(report, { now: new Date(now) }) });
}

if (data.lowPriority) {
  try {
    // On Linux a thread's nice value is its own: this lowers the audit's thread only, so that the
    // main thread, which answers the API server's admission requests, runs first whenever it can.
    setPriority(19);
  } catch {
    // Not permitted here: the audit runs at the process's priority.
  }
}

runScan(data.job).catch((error: unknown) => post({ type: 'failed', error: serializeError(error) }));
