// The webhook says when an exception stops applying: at startup, one line per exception that has
// already expired (the configuration still loads: an expired exception is not an error, it just no
// longer lets anything through), and then one line at the moment each of the others expires. The
// rules judge expiry themselves against each request's clock; this only tells the operator.
import type { Logger } from 'pino';
import { expiryInstant } from '../rules/exceptions/expiry.js';
import type { ExceptionConfig } from '../rules/types.js';

/** setTimeout's longest delay (about 24.8 days): a later expiry is reached in several waits. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ExpiryWatch {
  /** Stops the timer (on shutdown). */
  stop(): void;
}

interface Expiring {
  name: string;
  expires: string;
  instant: number;
}

function expiring(exceptions: readonly ExceptionConfig[]): Expiring[] {
  return exceptions
    .flatMap((exception) => {
      const instant = exception.expires === undefined ? undefined : expiryInstant(exception.expires);
      return instant === undefined || exception.expires === undefined ? [] : [{ name: exception.name, expires: exception.expires, instant }];
    })
    .sort((a, b) => a.instant - b.instant);
}

function logExpired(logger: Logger, exception: Expiring): void {
  logger.warn({ exception: exception.name, expires: exception.expires }, 'exception expired: it no longer applies (renew it or remove it from the configuration)');
}

export function watchExceptionExpiry(exceptions: readonly ExceptionConfig[], logger: Logger, now: () => number = Date.now): ExpiryWatch {
  const pending = expiring(exceptions);
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    timer = undefined;
    const at = now();
    while (pending.length > 0 && (pending[0]?.instant ?? Infinity) <= at) {
      const exception = pending.shift();
      if (exception) logExpired(logger, exception);
    }
    const next = pending[0];
    if (!next) return;
    timer = setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(0, next.instant - at)));
    // The timer never keeps the process alive on its own.
    timer.unref();
  };
  check();
  return {
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.length = 0;
    },
  };
}
