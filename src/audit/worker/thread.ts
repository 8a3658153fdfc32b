// The main thread's side of the audit's worker thread (entry.ts): starts it with its heap limits,
// sends its requests to the API server (requests.ts), and turns its messages into promises. A worker
// that dies (its heap limit reached, a crash) fails whatever waits on it with a message that says so.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { KubeconfigTransport } from '../../kube/api-request.js';
import type { KubeTransport } from '../../kube/json-client.js';
import { deserializeError } from './errors.js';
import type { FromWorker, ToWorker, WorkerData, ScanJob } from './protocol.js';
import { requestServer } from './requests.js';

/** Whether the worker sends its requests itself (`direct`): when the transport gives credentials for them. */
export async function requestMode(transport: AuditThreadOptions['transport']): Promise<WorkerData['requests']> {
  return transport.credentials && (await transport.credentials()) !== undefined ? 'direct' : 'relayed';
}

/** The worker's code: dist/audit/worker/entry.js; from the TypeScript sources (the tests), the built file too (npm test builds first). */
function entryUrl(): URL {
  if (import.meta.url.endsWith('/src/audit/worker/thread.ts')) return new URL(import.meta.url.replace(/\/src\/audit\/worker\/thread\.ts$/, '/dist/audit/worker/entry.js'));
  return new URL('./entry.js', import.meta.url);
}

export interface AuditThreadOptions {
  /**
   * How the worker's requests reach the API server: with the credentials this transport gives, sent
   * by the worker itself; or, when it gives none (a proxy), sent by this transport.
   */
  transport: KubeTransport & Partial<Pick<KubeconfigTransport, 'credentials'>>;
  /** List requests give up after this long. Default 60 s. */
  timeoutMs?: number;
  /** The V8 heap limits of the worker (its young and old generation). */
  resourceLimits?: ResourceLimits;
  /** Lower the worker thread's CPU priority (the periodic audit beside the webhook). */
  lowPriority?: boolean;
  onLog?: (level: 'warn', fields: Record<string, unknown>, msg: string) => void;
}

type Waiter = { type: FromWorker['type']; resolve: (message: FromWorker) => void; reject: (error: unknown) => void };

export class AuditThread {
  private readonly worker: Worker;
  private readonly waiters: Waiter[] = [];
  private readonly requests;
  private failure: Error | undefined;

  constructor(job: ScanJob, private readonly options: AuditThreadOptions, requests: WorkerData['requests']) {
    const workerData: WorkerData = { job, server: options.transport.server, timeoutMs: options.timeoutMs ?? 60_000, lowPriority: options.lowPriority ?? false, requests };
    this.worker = new Worker(entryUrl(), { workerData, ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}) });
    this.requests = requestServer(this.worker, options.transport);
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      const limit = options.resourceLimits?.maxOldGenerationSizeMb;
      this.fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new Error(`the audit ran out of memory: its worker thread's heap is limited to ${limit ?? 'the default'} MB`)
          : new Error(`the audit's worker thread failed: ${error.message}`),
      );
    });
    this.worker.on('exit', (code) => this.fail(new Error(`the audit's worker thread ended (exit code ${code})`)));
  }

  private receive(message: FromWorker): void {
    if (this.requests.handle(message)) return;
    if (message.type === 'log') return this.options.onLog?.(message.level, message.fields, message.msg);
    if (message.type === 'failed') return this.fail(deserializeError(message.error));
    const index = this.waiters.findIndex((waiter) => waiter.type === message.type);
    const [waiter] = index === -1 ? [] : this.waiters.splice(index, 1);
    waiter?.resolve(message);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.requests.abortAll();
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }

  /** The worker's next message of this type; rejects when the worker fails or has ended. */
  next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ type, resolve: resolve as (message: FromWorker) => void, reject }));
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Ends the thread at once; whatever waits on it fails. */
  async terminate(): Promise<void> {
    this.fail(new Error('the audit was stopped'));
    await this.worker.terminate();
  }
}

