import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { seccompProfileRestricted } from './seccomp-profile-restricted.js';

const REASON = 'seccompProfile';

const withSeccomp = (name: string, type: unknown) => ({ name, securityContext: { seccompProfile: { type } } });
const podSeccomp = (type: unknown) => ({ seccompProfile: { type } });

describe('seccompProfile_restricted', () => {
  it('starts at v1.19, exempts Windows pods from v1.25, and replaces seccompProfile_baseline', () => {
    expect(seccompProfileRestricted.versions.map((version) => version.minimumMinor)).toEqual([19, 25]);
    for (const version of seccompProfileRestricted.versions) expect(version.overrideCheckIds).toEqual(['seccompProfile_baseline']);
  });

  it.each([
    { name: 'pod-level RuntimeDefault', minor: 19, pod: { securityContext: podSeccomp('RuntimeDefault'), containers: [{ name: 'a' }, { name: 'b', securityContext: {} }] } },
    { name: 'pod-level Localhost', minor: 37, pod: { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, containers: [{ name: 'a' }] } },
    { name: 'container-level types everywhere', minor: 37, pod: { initContainers: [withSeccomp('i', 'Localhost')], containers: [withSeccomp('a', 'RuntimeDefault')] } },
    { name: 'no containers at all', minor: 37, pod: {} },
    { name: 'a Windows pod without seccomp at v1.25 (PSA "no explicit seccomp, windows Pod")', minor: 25, pod: { os: { name: 'windows' }, containers: [{ name: 'a' }] } },
    { name: 'a Windows pod with Unconfined at v1.37', minor: 37, pod: { os: { name: 'windows' }, securityContext: podSeccomp('Unconfined'), containers: [{ name: 'a' }] } },
  ])('allows $name', ({ minor, pod }) => {
    expect(runCheck(seccompProfileRestricted, minor, pod)).toBe(ALLOWED);
  });

  it.each([
    { minor: 19, os: undefined },
    { minor: 24, os: { name: 'windows' } },
    { minor: 25, os: undefined },
    { minor: 25, os: { name: 'linux' } },
    { minor: 37, os: { name: 'Windows' } },
  ])('asks pod or container to set a type when neither does, at v1.$minor with os $os (PSA "no explicit seccomp")', ({ minor, os }) => {
    expect(runCheck(seccompProfileRestricted, minor, { os, containers: [{ name: 'a' }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
      paths: ['spec.securityContext.seccompProfile.type', 'spec.containers[0].securityContext.seccompProfile.type'],
    });
  });

  it.each([19, 25, 37])('names the pod that sets a forbidden type, at v1.%i (PSA "pod seccomp invalid")', (minor) => {
    expect(runCheck(seccompProfileRestricted, minor, { securityContext: podSeccomp('Unconfined'), containers: [{ name: 'a', securityContext: null }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
      paths: ['spec.securityContext.seccompProfile.type'],
    });
  });

  it('names the containers that set a forbidden type, in the plural (PSA "containers seccomp invalid")', () => {
    const result = runCheck(seccompProfileRestricted, 37, {
      securityContext: podSeccomp('RuntimeDefault'),
      containers: [
        { name: 'a', securityContext: null },
        { name: 'b', securityContext: {} },
        withSeccomp('c', 'Unconfined'),
        withSeccomp('d', 'Unconfined'),
        withSeccomp('e', 'RuntimeDefault'),
        withSeccomp('f', 'RuntimeDefault'),
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
      paths: ['spec.containers[2].securityContext.seccompProfile.type', 'spec.containers[3].securityContext.seccompProfile.type'],
    });
  });

  it('names the containers that set none, in the plural (PSA "pod nil, container fallthrough")', () => {
    const result = runCheck(seccompProfileRestricted, 37, {
      containers: [{ name: 'a', securityContext: null }, { name: 'b', securityContext: {} }, withSeccomp('d', 'RuntimeDefault'), withSeccomp('e', 'RuntimeDefault')],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
      paths: [
        'spec.securityContext.seccompProfile.type',
        'spec.containers[0].securityContext.seccompProfile.type',
        'spec.containers[1].securityContext.seccompProfile.type',
      ],
    });
  });

  it('names pod and containers together with every forbidden type sorted, ahead of containers that set none', () => {
    const result = runCheck(seccompProfileRestricted, 37, {
      securityContext: podSeccomp('Unconfined'),
      initContainers: [withSeccomp('init', 'Localhost')],
      containers: [{ name: 'unset' }, withSeccomp('app', 'Unconfined')],
      ephemeralContainers: [{ name: 'debug', securityContext: { seccompProfile: {} } }],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod and containers "app", "debug" must not set securityContext.seccompProfile.type to "", "Unconfined"',
      paths: [
        'spec.securityContext.seccompProfile.type',
        'spec.containers[1].securityContext.seccompProfile.type',
        'spec.ephemeralContainers[0].securityContext.seccompProfile.type',
      ],
    });
  });

  it('treats a profile that is not an object as unset and a profile without a string type as type ""', () => {
    for (const seccompProfile of [null, []]) {
      expect(runCheck(seccompProfileRestricted, 37, { securityContext: { seccompProfile }, containers: [{ name: 'a' }] }).detail).toBe(
        'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
      );
    }
    expect(runCheck(seccompProfileRestricted, 37, { securityContext: podSeccomp(7), containers: [withSeccomp('a', 'RuntimeDefault')] }).detail).toBe(
      'pod must not set securityContext.seccompProfile.type to ""',
    );
  });
});
