// The worker's requests to the API server. The worker never loads client-node (about 85 MB of RSS per
// thread that does), so the main thread, which has it, supplies what only client-node knows:
//
// - `direct` (the usual case): for each request the worker asks the main thread for its credentials
//   (client-node fills in the token, refreshing an exec plugin's, and the TLS material) and sends the
//   request itself with Node's http client, on a kept-alive connection. The pages' bytes, their TLS
//   decryption and their garbage never touch the main thread, which answers admission requests.
// - `relayed` (a cluster reached through a proxy, whose agent only the main thread has): the main thread
//   sends the request and hands back the answer's bytes, by transfer.
//
// A request the worker abandons is aborted on the main thread too.
import { Agent } from 'node:https';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { KubeconfigTransport } from '../../kube/api-request.js';
import { sendRequest, type RequestCredentials } from '../../kube/https-request.js';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../kube/json-client.js';
import { deserializeError, serializeError } from './errors.js';
import type { FromWorker, ToWorker } from './protocol.js';

type Pending = { resolve: (value: KubeResponse | RequestCredentials) => void; reject: (error: unknown) => void };

/** The worker's side: a transport over the port to the main thread. `receive` takes the main thread's answers. */
export function portTransport(port: MessagePort, server: string, mode: 'direct' | 'relayed'): KubeTransport & { receive(message: ToWorker): boolean } {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const post = (message: FromWorker) => port.postMessage(message);
  // One connection, kept alive from page to page, instead of a TLS handshake per request.
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  /** Posts `message` (with a fresh id) and waits for the answer to it; abandons it on `signal`. */
  function ask<T extends KubeResponse | RequestCredentials>(message: (id: number) => FromWorker, signal: AbortSignal | undefined): Promise<T> {
    signal?.throwIfAborted();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        pending.delete(id);
        post({ type: 'abort', id });
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      post(message(id));
    });
  }

  return {
    server,
    async send(request: KubeRequest) {
      if (mode === 'relayed') {
        const { signal, ...rest } = request;
        return ask<KubeResponse>((id) => ({ type: 'request', id, request: rest }), signal);
      }
      const credentials = await ask<RequestCredentials>((id) => ({ type: 'credentials', id }), request.signal);
      return sendRequest(server, request, credentials, agent);
    },
    receive(message) {
      if (message.type !== 'response' && message.type !== 'request-failed' && message.type !== 'credentials') return false;
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'response') waiting?.resolve({ status: message.status, body: message.body });
      else if (message.type === 'credentials') waiting?.resolve(message.credentials);
      else waiting?.reject(deserializeError(message.error));
      return true;
    },
  };
}

/** The main thread's side: credentials for the worker's requests, or the requests themselves. Returns false for other messages. */
export function requestServer(worker: Worker, transport: KubeTransport & Partial<Pick<KubeconfigTransport, 'credentials'>>): { handle(message: FromWorker): boolean; abortAll(): void } {
  const inFlight = new Map<number, AbortController>();
  const post = (message: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);
  const failed = (id: number) => (error: unknown) => {
    if (inFlight.delete(id)) post({ type: 'request-failed', id, error: serializeError(error) });
  };
  return {
    handle(message) {
      if (message.type === 'abort') {
        inFlight.get(message.id)?.abort(new Error('the audit abandoned the request'));
        inFlight.delete(message.id);
        return true;
      }
      if (message.type === 'credentials') {
        inFlight.set(message.id, new AbortController());
        const credentials = transport.credentials?.() ?? Promise.reject(new Error('this transport sends its requests itself'));
        credentials.then((given) => {
          if (!given) throw new Error('the cluster is reached through a proxy: requests are relayed');
          if (inFlight.delete(message.id)) post({ type: 'credentials', id: message.id, credentials: given });
        }).catch(failed(message.id));
        return true;
      }
      if (message.type !== 'request') return false;
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      transport.send({ ...message.request, signal: controller.signal }).then((response) => {
        if (!inFlight.delete(message.id)) return;
        // The body's buffer moves to the worker when the body is all of it (the transport reads a large
        // answer into a buffer of its own); a view into a larger buffer (a small answer in Node's
        // buffer pool) is copied into one first.
        const whole = response.body.byteOffset === 0 && response.body.byteLength === response.body.buffer.byteLength;
        const body = whole ? response.body : new Uint8Array(response.body);
        post({ type: 'response', id: message.id, status: response.status, body }, [body.buffer as ArrayBuffer]);
      }, failed(message.id));
      return true;
    },
    abortAll() {
      for (const controller of inFlight.values()) controller.abort(new Error('the audit ended'));
      inFlight.clear();
    },
  };
}
