import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { PSA_PROC_MOUNT, runCheck } from './check-test-helpers.js';
import { procMountRestricted } from './proc-mount-restricted.js';

const PSA_CONTAINERS = PSA_PROC_MOUNT.containers;

describe('procMount_restricted', () => {
  it('starts at v1.35 and replaces the baseline procMount check there', () => {
    expect(procMountRestricted.level).toBe('restricted');
    expect(procMountRestricted.versions).toEqual([
      { minimumMinor: 35, checkPod: expect.any(Function), overrideCheckIds: ['procMount'] },
    ]);
    expect(() => runCheck(procMountRestricted, 34, { containers: PSA_CONTAINERS })).toThrow(/no variant/);
  });

  it.each([
    { name: 'Default', pod: { containers: [{ name: 'a', securityContext: { procMount: 'Default' } }], hostUsers: false } },
    { name: 'no procMount', pod: { containers: [{ name: 'a', securityContext: {} }], hostUsers: false } },
  ])('allows $name', ({ pod }) => {
    expect(runCheck(procMountRestricted, 37, pod)).toBe(ALLOWED);
  });

  it.each([true, false])('forbids non-default values whatever hostUsers is (%s)', (hostUsers) => {
    for (const minor of [35, 37]) {
      expect(runCheck(procMountRestricted, minor, { containers: PSA_CONTAINERS, hostUsers })).toEqual(PSA_PROC_MOUNT.result);
    }
  });
});
