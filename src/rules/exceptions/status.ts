// Where each configured exception stands at an instant: applying, expiring soon, or expired. The
// edges say so (check's warnings, the webhook's log, the audit's report); the rules themselves only
// ever ask whether one still applies.
import type { ExceptionConfig } from '../types.js';
import { expiryInstant, stillApplies } from './expiry.js';

/** An exception that expires within this much time is listed as expiring soon (by the audit). */
const EXPIRING_SOON_MS = 14 * 86_400_000;

export interface ExceptionStatus {
  name: string;
  /** As configured, when it expires. */
  expires: string | undefined;
  /** Milliseconds since the epoch from which it no longer applies. */
  expiresAt: number | undefined;
  expired: boolean;
  /** Not expired, and expires within EXPIRING_SOON_MS. */
  expiringSoon: boolean;
}

export function exceptionStatuses(exceptions: readonly ExceptionConfig[], now: number): ExceptionStatus[] {
  return exceptions.map((exception) => {
    const expiresAt = exception.expires === undefined ? undefined : (expiryInstant(exception.expires) ?? Number.NEGATIVE_INFINITY);
    const expired = !stillApplies(expiresAt, now);
    return { name: exception.name, expires: exception.expires, expiresAt, expired, expiringSoon: !expired && expiresAt !== undefined && expiresAt - now <= EXPIRING_SOON_MS };
  });
}

/** The one line a command prints about an exception that has expired. */
export function expiredLine(status: Pick<ExceptionStatus, 'name' | 'expires'>): string {
  return `exception ${JSON.stringify(status.name)} expired (expires: ${status.expires ?? '?'}) and no longer applies: renew it or remove it`;
}
