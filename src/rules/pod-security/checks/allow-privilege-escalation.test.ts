import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { allowPrivilegeEscalation } from './allow-privilege-escalation.js';
import { runCheck } from './check-test-helpers.js';

const REASON = 'allowPrivilegeEscalation != false';

// PSA's "multiple containers" case: unset, securityContext without the field, true, false.
const MULTIPLE_CONTAINERS = {
  containers: [
    { name: 'a' },
    { name: 'b', securityContext: {} },
    { name: 'c', securityContext: { allowPrivilegeEscalation: true } },
    { name: 'd', securityContext: { allowPrivilegeEscalation: false } },
  ],
};

describe('allowPrivilegeEscalation', () => {
  it('starts at v1.8 and exempts Windows pods from v1.25', () => {
    expect(allowPrivilegeEscalation.versions.map((version) => version.minimumMinor)).toEqual([8, 25]);
    expect(allowPrivilegeEscalation.versions.every((version) => !version.overrideCheckIds)).toBe(true);
  });

  it.each([
    { name: 'allowPrivilegeEscalation: false everywhere', minor: 8, pod: { initContainers: [{ name: 'i', securityContext: { allowPrivilegeEscalation: false } }], containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: false } }] } },
    { name: 'no containers at all', minor: 37, pod: {} },
    { name: 'a Windows pod at v1.25', minor: 25, pod: { os: { name: 'windows' }, containers: [{ name: 'a' }] } },
    { name: 'a Windows pod at v1.37', minor: 37, pod: { os: { name: 'windows' }, containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: true } }] } },
  ])('allows $name', ({ minor, pod }) => {
    expect(runCheck(allowPrivilegeEscalation, minor, pod)).toBe(ALLOWED);
  });

  it.each([8, 24, 25, 37])('names every container that does not set false, in the plural, at v1.%i', (minor) => {
    expect(runCheck(allowPrivilegeEscalation, minor, MULTIPLE_CONTAINERS)).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
      paths: [
        'spec.containers[0].securityContext.allowPrivilegeEscalation',
        'spec.containers[1].securityContext.allowPrivilegeEscalation',
        'spec.containers[2].securityContext.allowPrivilegeEscalation',
      ],
    });
  });

  it.each([
    { name: 'a Linux pod at v1.25', minor: 25, os: { name: 'linux' } },
    { name: 'a Windows pod before v1.25', minor: 24, os: { name: 'windows' } },
    { name: 'a pod with an odd os', minor: 37, os: 'windows' },
  ])('names one container in the singular for $name', ({ minor, os }) => {
    expect(runCheck(allowPrivilegeEscalation, minor, { os, containers: [{ name: 'a' }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
      paths: ['spec.containers[0].securityContext.allowPrivilegeEscalation'],
    });
  });

  it('names init, regular and ephemeral containers in PSA order', () => {
    const result = runCheck(allowPrivilegeEscalation, 37, {
      initContainers: [{ name: 'init' }],
      containers: [{ name: 'ok', securityContext: { allowPrivilegeEscalation: false } }, { name: 'app', securityContext: null }],
      ephemeralContainers: [{ name: 'debug', securityContext: { allowPrivilegeEscalation: 'false' } }],
    });
    expect(result.detail).toBe('containers "init", "app", "debug" must set securityContext.allowPrivilegeEscalation=false');
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.allowPrivilegeEscalation',
      'spec.containers[1].securityContext.allowPrivilegeEscalation',
      'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation',
    ]);
  });

  it('builds paths from the pod template it is given; a missing name is Go\'s ""', () => {
    const result = allowPrivilegeEscalation.versions[1]!.checkPod({
      metadata: {},
      spec: { containers: [{ name: 'a' }, {}] } as never,
      metadataPath: 'spec.template.metadata',
      specPath: 'spec.template.spec',
    });
    expect(result.detail).toBe('containers "a", "" must set securityContext.allowPrivilegeEscalation=false');
    expect(result.paths).toEqual([
      'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      'spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation',
    ]);
  });
});
