// AppArmor and seccomp profiles share one shape, `{ type, localhostProfile }`, and PSA reads both the
// same way: a profile that is set but has no type has Go's zero-value type "".
import { isRecord } from '../is-record.js';

/** The profile's type ("" when it has none), or undefined when no profile is set. */
export function profileType(profile: unknown): string | undefined {
  if (!isRecord(profile)) return undefined;
  const type = profile.type;
  return typeof type === 'string' ? type : '';
}
