// What went wrong talking to the API server, without client-node: the audit's worker thread (which
// never loads client-node, see src/audit/worker/) throws and reads these errors too.
//
// An HTTP error answer is a KubeApiError carrying the status and the body (a Status object, usually).
// apiStatusOf also reads client-node's own ApiException (the Namespace informer's list calls throw
// it), by its shape: a numeric `code` and a `body`.

/** The API server answered with an HTTP error status. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** The HTTP status. */
    readonly code: number,
    message: string,
    /** The answer's body, as text. */
    readonly body: string,
  ) {
    super(message);
  }
}

function httpErrorParts(error: unknown): { code: number; body: unknown } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, body } = error as Error & { code?: unknown; body?: unknown };
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 && 'body' in error ? { code, body } : undefined;
}

/** The HTTP status of an API error, if it is one. */
export function apiStatusOf(error: unknown): number | undefined {
  return httpErrorParts(error)?.code;
}

/** True for a request abandoned at its timeout (`timeoutMs`). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** An API error in one line: client-node's own messages carry the whole body and headers. */
export function describeApiError(error: unknown): string {
  const http = httpErrorParts(error);
  if (http) {
    let body = http.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Not a Status object: the code says enough.
      }
    }
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    return `the API server answered HTTP ${http.code}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
  }
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `${error.message.split('\n', 1)[0]}${causeText}`;
  }
  return String(error);
}
