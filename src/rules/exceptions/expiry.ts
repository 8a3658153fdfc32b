// When an exception stops applying. `expires` is a date, valid through that day in UTC (so
// `2027-03-31` stops at 2027-04-01T00:00:00Z), or an RFC 3339 time, which stops at that instant.
// Pure: the caller says what time it is.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Date.UTC for a calendar date, or undefined when the date does not exist (2027-02-30, month 13). */
function dayStart(year: number, month: number, day: number): number | undefined {
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date.getTime() : undefined;
}

/** Offset east of UTC in milliseconds for `Z`, `+02:00`, `-05:30`; undefined when out of range. */
function offsetMs(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/**
 * The first instant at which the exception no longer applies, in milliseconds since the epoch;
 * undefined when `expires` is neither a date that exists nor an RFC 3339 time.
 */
export function expiryInstant(expires: string): number | undefined {
  const date = DATE.exec(expires);
  if (date) {
    const start = dayStart(Number(date[1]), Number(date[2]), Number(date[3]));
    return start === undefined ? undefined : start + 86_400_000;
  }
  const time = DATE_TIME.exec(expires);
  if (!time) return undefined;
  const start = dayStart(Number(time[1]), Number(time[2]), Number(time[3]));
  const [hours, minutes, seconds] = [Number(time[4]), Number(time[5]), Number(time[6])];
  // A leap second (:60) is allowed by RFC 3339; it ends where the next minute begins.
  if (start === undefined || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const offset = offsetMs(time[8] ?? '');
  if (offset === undefined) return undefined;
  const fraction = time[7] === undefined ? 0 : Math.floor(Number(`0${time[7]}`) * 1000);
  return start + ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction - offset;
}

/** Whether an exception with this expiry instant still applies at `now`; no `now` means no expiring exception applies. */
export function stillApplies(expiresAt: number | undefined, now: number | undefined): boolean {
  return expiresAt === undefined || (now !== undefined && now < expiresAt);
}
