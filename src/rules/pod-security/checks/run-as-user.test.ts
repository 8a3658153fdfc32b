import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { runAsUser } from './run-as-user.js';

const REASON = 'runAsUser=0';

const withRunAsUser = (name: string, runAsUser: unknown) => ({ name, securityContext: { runAsUser } });

describe('runAsUser', () => {
  it('starts at v1.23 and exempts user-namespace pods from v1.35', () => {
    expect(runAsUser.versions.map((version) => version.minimumMinor)).toEqual([23, 35]);
    expect(runAsUser.versions.every((version) => !version.overrideCheckIds)).toBe(true);
  });

  it.each([
    { name: 'pod runAsUser non-zero', minor: 23, pod: { securityContext: { runAsUser: 1000 }, containers: [{ name: 'a', securityContext: null }] } },
    { name: 'pod runAsUser unset', minor: 37, pod: { securityContext: {}, containers: [{ name: 'a' }] } },
    { name: 'containers runAsUser non-zero', minor: 37, pod: { containers: [withRunAsUser('c', 1), withRunAsUser('d', 2), withRunAsUser('e', 3), withRunAsUser('f', 4)] } },
    { name: 'runAsUser "0" (not a number)', minor: 37, pod: { securityContext: { runAsUser: '0' }, containers: [withRunAsUser('a', null)] } },
    { name: 'hostUsers false at v1.35 (PSA "... without HostUsers")', minor: 35, pod: { hostUsers: false } },
    { name: 'hostUsers false at v1.37, even with runAsUser 0', minor: 37, pod: { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [withRunAsUser('a', 0)] } },
  ])('allows $name', ({ minor, pod }) => {
    expect(runCheck(runAsUser, minor, pod)).toBe(ALLOWED);
  });

  it.each([23, 34, 35, 37])('names the pod that sets 0, at v1.%i (PSA "pod runAsUser=0")', (minor) => {
    expect(runCheck(runAsUser, minor, { securityContext: { runAsUser: 0 }, containers: [{ name: 'a', securityContext: null }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod must not set runAsUser=0',
      paths: ['spec.securityContext.runAsUser'],
    });
  });

  it('names the containers that set 0, in the plural (PSA "containers runAsUser=0")', () => {
    const result = runCheck(runAsUser, 37, {
      securityContext: { runAsUser: 1000 },
      containers: [
        { name: 'a', securityContext: null },
        { name: 'b', securityContext: {} },
        withRunAsUser('c', 0),
        withRunAsUser('d', 0),
        withRunAsUser('e', 1),
        withRunAsUser('f', 1),
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'containers "c", "d" must not set runAsUser=0',
      paths: ['spec.containers[2].securityContext.runAsUser', 'spec.containers[3].securityContext.runAsUser'],
    });
  });

  it('names one container in the singular, and pod and containers together in PSA order', () => {
    expect(runCheck(runAsUser, 37, { containers: [withRunAsUser('a', 0)] }).detail).toBe('container "a" must not set runAsUser=0');
    const result = runCheck(runAsUser, 37, {
      securityContext: { runAsUser: 0 },
      initContainers: [withRunAsUser('init', 0)],
      containers: [withRunAsUser('app', 1000)],
      ephemeralContainers: [withRunAsUser('debug', 0)],
    });
    expect(result.detail).toBe('pod and containers "init", "debug" must not set runAsUser=0');
    expect(result.paths).toEqual([
      'spec.securityContext.runAsUser',
      'spec.initContainers[0].securityContext.runAsUser',
      'spec.ephemeralContainers[0].securityContext.runAsUser',
    ]);
  });

  it.each([
    { name: 'hostUsers false before v1.35', minor: 34, hostUsers: false },
    { name: 'hostUsers true at v1.35 (PSA "... with HostUsers")', minor: 35, hostUsers: true },
  ])('still checks a pod with $name', ({ minor, hostUsers }) => {
    expect(runCheck(runAsUser, minor, { hostUsers, securityContext: { runAsUser: 0 }, containers: [{ name: 'a' }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod must not set runAsUser=0',
      paths: ['spec.securityContext.runAsUser'],
    });
  });
});
