import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { sysctls } from './sysctls.js';

const podWith = (...names: unknown[]) => ({ securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) } });

const ALWAYS_ALLOWED = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];

describe('sysctls', () => {
  it.each([
    { name: 'no securityContext', pod: {} },
    { name: 'no sysctls', pod: { securityContext: {} } },
    { name: 'null sysctls', pod: { securityContext: { sysctls: null } } },
    { name: 'sysctls that are not a list', pod: { securityContext: { sysctls: { name: 'a' } } } },
    { name: 'the v1.0 safe set', pod: podWith(...ALWAYS_ALLOWED) },
  ])('allows $name at every version, with the shared result', ({ pod }) => {
    for (const minor of [0, 26, 27, 29, 32, 37]) expect(runCheck(sysctls, minor, pod)).toBe(ALLOWED);
  });

  it.each([
    { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
    { since: 29, names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'] },
    { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
    { since: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
  ])('allows $names from v1.$since on, and forbids them before', ({ since, names }) => {
    for (const name of names) {
      expect(runCheck(sysctls, 0, podWith(name)).detail).toBe(name);
      expect(runCheck(sysctls, since - 1, podWith(name))).toEqual({
        allowed: false,
        reason: 'forbidden sysctls',
        detail: name,
        paths: ['spec.securityContext.sysctls[0].name'],
      });
      expect(runCheck(sysctls, since, podWith(name))).toBe(ALLOWED);
      expect(runCheck(sysctls, 37, podWith(...ALWAYS_ALLOWED, name))).toBe(ALLOWED);
    }
  });

  it('lists forbidden names unquoted, in spec order, with the path of each', () => {
    expect(runCheck(sysctls, 37, podWith('b', 'kernel.shm_rmid_forced', 'a'))).toEqual({
      allowed: false,
      reason: 'forbidden sysctls',
      detail: 'b, a',
      paths: ['spec.securityContext.sysctls[0].name', 'spec.securityContext.sysctls[2].name'],
    });
  });

  it('keeps repeated names, as PSA does', () => {
    expect(runCheck(sysctls, 37, podWith('a', 'a')).detail).toBe('a, a');
  });

  it('reads an entry without a string name as the empty name, which is forbidden', () => {
    const result = runCheck(sysctls, 37, { securityContext: { sysctls: [null, { value: '1' }, { name: 5 }] } });
    expect(result).toEqual({
      allowed: false,
      reason: 'forbidden sysctls',
      detail: ', , ',
      paths: [0, 1, 2].map((i) => `spec.securityContext.sysctls[${i}].name`),
    });
  });
});
