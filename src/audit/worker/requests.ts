// The worker's requests to the API server, carried by the main thread: the worker never loads
// client-node (about 85 MB of RSS per thread that does), so it hands each request to the main thread,
// which sends it with client-node's transport and hands back the answer's bytes (transferred, not
// copied). A request the worker abandons is aborted on the main thread too.
import type { MessagePort, Worker } from 'node:worker_threads';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../kube/json-client.js';
import { deserializeError, serializeError } from './errors.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** The worker's side: a transport whose requests the main thread sends. */
export function portTransport(port: MessagePort, server: string): KubeTransport & { receive(message: ToWorker): boolean } {
  const pending = new Map<number, { resolve: (response: KubeResponse) => void; reject: (error: unknown) => void }>();
  let nextId = 0;
  const post = (message: FromWorker) => port.postMessage(message);
  return {
    server,
    send(request: KubeRequest) {
      const { signal, ...rest } = request;
      signal?.throwIfAborted();
      const id = nextId++;
      return new Promise<KubeResponse>((resolve, reject) => {
        const onAbort = () => {
          pending.delete(id);
          post({ type: 'abort', id });
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: (response) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(response);
          },
          reject: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        });
        post({ type: 'request', id, request: rest });
      });
    },
    /** Takes the main thread's answers; false for any other message. */
    receive(message) {
      if (message.type !== 'response' && message.type !== 'request-failed') return false;
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'response') waiting?.resolve({ status: message.status, body: message.body });
      else waiting?.reject(deserializeError(message.error));
      return true;
    },
  };
}

/** The main thread's side: sends the worker's requests with `transport`. Returns false for messages that are not requests. */
export function requestServer(worker: Worker, transport: KubeTransport): { handle(message: FromWorker): boolean; abortAll(): void } {
  const inFlight = new Map<number, AbortController>();
  const post = (message: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);
  return {
    handle(message) {
      if (message.type === 'abort') {
        inFlight.get(message.id)?.abort(new Error('the audit abandoned the request'));
        inFlight.delete(message.id);
        return true;
      }
      if (message.type !== 'request') return false;
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      transport.send({ ...message.request, signal: controller.signal }).then(
        (response) => {
          if (!inFlight.delete(message.id)) return;
          // The body's buffer moves to the worker when the body is all of it (the transport reads each
          // answer into a buffer of its own); a view into a larger buffer is copied.
          const whole = response.body.byteOffset === 0 && response.body.byteLength === response.body.buffer.byteLength;
          const body = whole ? response.body : response.body.slice();
          post({ type: 'response', id: message.id, status: response.status, body }, [body.buffer as ArrayBuffer]);
        },
        (error: unknown) => {
          if (!inFlight.delete(message.id)) return;
          post({ type: 'request-failed', id: message.id, error: serializeError(error) });
        },
      );
      return true;
    },
    abortAll() {
      for (const controller of inFlight.values()) controller.abort(new Error('the audit ended'));
      inFlight.clear();
    },
  };
}
