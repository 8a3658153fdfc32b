// Errors across the thread boundary: structured clone keeps an Error's message but not its class, so
// the worker's failures (and the main thread's failed requests) are sent as plain data and rebuilt as
// the same kinds: an InputError stays one (the CLI prints it as one line, exit 2), an HTTP error stays a
// KubeApiError (apiStatusOf, describeApiError), a timeout stays a TimeoutError (isTimeout).
import { InputError } from '../../errors.js';
import { KubeApiError } from '../../kube/api-error.js';
import type { SerializedError } from './protocol.js';

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const serialized: SerializedError = { name: error.name, message: error.message };
  if (error instanceof KubeApiError) {
    serialized.code = error.code;
    serialized.body = error.body;
  }
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) serialized.cause = { name: cause.name, message: cause.message };
  return serialized;
}

export function deserializeError(error: SerializedError): Error {
  if (error.name === 'InputError') return new InputError(error.message);
  if (error.code !== undefined) return new KubeApiError(error.code, error.message, error.body ?? '');
  const cause = error.cause ? Object.assign(new Error(error.cause.message), { name: error.cause.name }) : undefined;
  const rebuilt = new Error(error.message, cause ? { cause } : undefined);
  rebuilt.name = error.name;
  return rebuilt;
}
