import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { capabilitiesRestricted } from './capabilities-restricted.js';
import { runCheck } from './check-test-helpers.js';

const REASON = 'unrestricted capabilities';

const withCapabilities = (name: string, capabilities: unknown) => ({ name, securityContext: { capabilities } });

describe('capabilities_restricted', () => {
  it('starts at v1.22, exempts Windows pods from v1.25, and replaces capabilities_baseline', () => {
    expect(capabilitiesRestricted.versions.map((version) => version.minimumMinor)).toEqual([22, 25]);
    for (const version of capabilitiesRestricted.versions) expect(version.overrideCheckIds).toEqual(['capabilities_baseline']);
  });

  it.each([
    { name: 'drop ALL', minor: 22, pod: { containers: [withCapabilities('a', { drop: ['ALL'] })] } },
    { name: 'drop ALL among others, add NET_BIND_SERVICE', minor: 37, pod: { containers: [withCapabilities('a', { drop: ['CHOWN', 'ALL'], add: ['NET_BIND_SERVICE'] })] } },
    { name: 'no containers at all', minor: 37, pod: {} },
    { name: 'a Windows pod without capabilities at v1.25', minor: 25, pod: { os: { name: 'windows' }, containers: [{ name: 'a' }] } },
    { name: 'a Windows pod adding capabilities at v1.37', minor: 37, pod: { os: { name: 'windows' }, containers: [withCapabilities('a', { add: ['SYS_ADMIN'] })] } },
  ])('allows $name', ({ minor, pod }) => {
    expect(runCheck(capabilitiesRestricted, minor, pod)).toBe(ALLOWED);
  });

  it.each([22, 25, 37])('reports missing drops, then forbidden adds sorted and deduplicated, at v1.%i (PSA "multiple containers")', (minor) => {
    const result = runCheck(capabilitiesRestricted, minor, {
      containers: [
        withCapabilities('a', { add: ['FOO', 'BAR'] }),
        withCapabilities('b', { add: ['BAR', 'BAZ'] }),
        withCapabilities('c', { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL', 'FOO'] }),
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail:
        'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; ' +
        'containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
      paths: [
        'spec.containers[0].securityContext.capabilities.drop',
        'spec.containers[1].securityContext.capabilities.drop',
        'spec.containers[0].securityContext.capabilities.add',
        'spec.containers[1].securityContext.capabilities.add',
        'spec.containers[2].securityContext.capabilities.add',
      ],
    });
  });

  it.each([
    { name: 'no securityContext', container: { name: 'a' } },
    { name: 'a null securityContext', container: { name: 'a', securityContext: null } },
    { name: 'no capabilities', container: { name: 'a', securityContext: {} } },
    { name: 'a drop list without ALL', container: withCapabilities('a', { drop: ['all', 'NET_RAW'] }) },
    { name: 'a drop that is not a list', container: withCapabilities('a', { drop: 'ALL' }) },
  ])('names one container in the singular for $name', ({ container }) => {
    expect(runCheck(capabilitiesRestricted, 37, { containers: [container] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]',
      paths: ['spec.containers[0].securityContext.capabilities.drop'],
    });
  });

  it('names one container adding one capability in the singular', () => {
    const result = runCheck(capabilitiesRestricted, 37, {
      containers: [withCapabilities('a', { drop: ['ALL'], add: ['SYS_ADMIN', 'NET_BIND_SERVICE', 42] })],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add',
      paths: ['spec.containers[0].securityContext.capabilities.add'],
    });
  });

  it('checks a Windows pod before v1.25', () => {
    expect(runCheck(capabilitiesRestricted, 24, { os: { name: 'windows' }, containers: [{ name: 'a' }] }).detail).toBe(
      'container "a" must set securityContext.capabilities.drop=["ALL"]',
    );
  });

  it('visits init, regular and ephemeral containers in PSA order', () => {
    const result = runCheck(capabilitiesRestricted, 37, {
      initContainers: [{ name: 'init' }],
      containers: [withCapabilities('app', { drop: ['ALL'], add: ['NET_ADMIN'] })],
      ephemeralContainers: [withCapabilities('debug', { add: ['SYS_PTRACE'] })],
    });
    expect(result.detail).toBe(
      'containers "init", "debug" must set securityContext.capabilities.drop=["ALL"]; ' +
        'containers "app", "debug" must not include "NET_ADMIN", "SYS_PTRACE" in securityContext.capabilities.add',
    );
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.capabilities.drop',
      'spec.ephemeralContainers[0].securityContext.capabilities.drop',
      'spec.containers[0].securityContext.capabilities.add',
      'spec.ephemeralContainers[0].securityContext.capabilities.add',
    ]);
  });

  it("sorts capabilities in Go's byte order, not by UTF-16 code units", () => {
    const result = runCheck(capabilitiesRestricted, 37, {
      containers: [withCapabilities('a', { drop: ['ALL'], add: ['b', '\u{1F600}', '\uFFFD', 'B', 'b'] })],
    });
    expect(result.detail).toBe('container "a" must not include "B", "b", "\uFFFD", "\u{1F600}" in securityContext.capabilities.add');
  });

  it('quotes values as PSA does: plain quotes, no escaping', () => {
    const result = runCheck(capabilitiesRestricted, 37, { containers: [withCapabilities('a', { drop: ['ALL'], add: ['FOO"BAR'] })] });
    expect(result.detail).toBe('container "a" must not include "FOO"BAR" in securityContext.capabilities.add');
  });
});
