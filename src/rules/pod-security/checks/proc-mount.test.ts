import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { PSA_PROC_MOUNT, runCheck } from './check-test-helpers.js';
import { procMount } from './proc-mount.js';

const { containers: PSA_CONTAINERS, result: PSA_RESULT } = PSA_PROC_MOUNT;

describe('procMount', () => {
  it.each([
    { name: 'no securityContext', pod: { containers: [{ name: 'a' }] } },
    { name: 'procMount: Default', pod: { containers: [{ name: 'a', securityContext: { procMount: 'Default' } }] } },
    { name: 'a null securityContext', pod: { containers: [{ name: 'a', securityContext: null }] } },
    { name: 'a non-string procMount', pod: { containers: [{ name: 'a', securityContext: { procMount: 7 } }] } },
    { name: 'a null container list', pod: { containers: null, initContainers: 'x' } },
  ])('allows $name at every version, with the shared result', ({ pod }) => {
    for (const minor of [0, 34, 35, 37]) expect(runCheck(procMount, minor, pod)).toBe(ALLOWED);
  });

  it.each([0, 34, 35, 37])('matches PSA at v1.%i when hostUsers is true', (minor) => {
    expect(runCheck(procMount, minor, { containers: PSA_CONTAINERS, hostUsers: true })).toEqual(PSA_RESULT);
  });

  it.each([
    { minor: 0, allowed: false },
    { minor: 34, allowed: false },
    { minor: 35, allowed: true },
    { minor: 37, allowed: true },
  ])('with hostUsers: false at v1.$minor, allowed is $allowed', ({ minor, allowed }) => {
    expect(runCheck(procMount, minor, { containers: PSA_CONTAINERS, hostUsers: false }).allowed).toBe(allowed);
  });

  it.each([
    { name: 'absent', hostUsers: undefined },
    { name: 'the string "false"', hostUsers: 'false' },
  ])('is not relaxed at v1.35 when hostUsers is $name', ({ hostUsers }) => {
    expect(runCheck(procMount, 35, { containers: PSA_CONTAINERS, hostUsers })).toEqual(PSA_RESULT);
  });

  it('names one container in the singular', () => {
    expect(runCheck(procMount, 37, { containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] })).toEqual({
      allowed: false,
      reason: 'procMount',
      detail: 'container "a" must not set securityContext.procMount to "Unmasked"',
      paths: ['spec.containers[0].securityContext.procMount'],
    });
  });

  it('lists containers in PSA order and the values sorted without repeats', () => {
    const result = runCheck(procMount, 37, {
      initContainers: [{ name: 'init', securityContext: { procMount: 'other' } }],
      containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }],
      ephemeralContainers: [{ name: 'debug', securityContext: { procMount: 'Unmasked' } }],
    });
    expect(result.detail).toBe('containers "init", "a", "debug" must not set securityContext.procMount to "Unmasked", "other"');
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.procMount',
      'spec.containers[0].securityContext.procMount',
      'spec.ephemeralContainers[0].securityContext.procMount',
    ]);
  });

  it('forbids an empty procMount, which is set but not Default', () => {
    expect(runCheck(procMount, 37, { containers: [{ name: 'a', securityContext: { procMount: '' } }] }).detail).toBe(
      'container "a" must not set securityContext.procMount to ""',
    );
  });
});
