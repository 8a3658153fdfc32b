import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { privileged } from './privileged.js';

describe('privileged', () => {
  it('has one variant, from v1.0', () => {
    expect(privileged.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no securityContext', pod: { containers: [{ name: 'a' }] } },
    { name: 'privileged: false', pod: { containers: [{ name: 'a', securityContext: { privileged: false } }] } },
    { name: 'a truthy non-boolean', pod: { containers: [{ name: 'a', securityContext: { privileged: 'true' } }] } },
  ])('allows $name', ({ pod }) => {
    expect(runCheck(privileged, 37, pod)).toBe(ALLOWED);
  });

  it('names one container in the singular, with the field path', () => {
    const result = runCheck(privileged, 37, {
      containers: [{ name: 'a', securityContext: { privileged: true } }, { name: 'b' }],
    });
    expect(result).toEqual({
      allowed: false,
      reason: 'privileged',
      detail: 'container "a" must not set securityContext.privileged=true',
      paths: ['spec.containers[0].securityContext.privileged'],
    });
  });

  it('names init, regular and ephemeral containers in PSA order, in the plural', () => {
    const result = runCheck(privileged, 37, {
      initContainers: [{ name: 'init', securityContext: { privileged: true } }],
      containers: [{ name: 'a', securityContext: { privileged: true } }],
      ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }],
    });
    expect(result.detail).toBe('containers "init", "a", "debug" must not set securityContext.privileged=true');
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.privileged',
      'spec.containers[0].securityContext.privileged',
      'spec.ephemeralContainers[0].securityContext.privileged',
    ]);
  });

  it('names a container without a name, or with a name that is not a string, as "" (Go\'s zero value)', () => {
    const result = runCheck(privileged, 37, {
      containers: [{ securityContext: { privileged: true } }, { name: 7, securityContext: { privileged: true } }],
    });
    expect(result.detail).toBe('containers "", "" must not set securityContext.privileged=true');
    expect(result.paths).toEqual(['spec.containers[0].securityContext.privileged', 'spec.containers[1].securityContext.privileged']);
  });
});
