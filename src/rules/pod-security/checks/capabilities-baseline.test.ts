import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { capabilitiesBaseline } from './capabilities-baseline.js';
import { runCheck } from './check-test-helpers.js';

// The Pod Security Standards' list, written out here rather than imported so that a capability
// missing from the check's set fails a test; the `forbids` cases catch one the set should not have.
const DEFAULT_SET = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

function adding(...add: unknown[]) {
  return { securityContext: { capabilities: { add } } };
}

describe('capabilities_baseline', () => {
  it('has one variant, from v1.0', () => {
    expect(capabilitiesBaseline.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no securityContext', spec: { containers: [{ name: 'a' }] } },
    { name: 'empty capabilities', spec: { containers: [{ name: 'a', securityContext: { capabilities: {} } }] } },
    { name: 'dropping anything', spec: { containers: [{ name: 'a', securityContext: { capabilities: { drop: ['ALL'] } } }] } },
    { name: 'the whole default set', spec: { initContainers: [{ name: 'a', ...adding(...DEFAULT_SET) }] } },
    {
      name: 'odd shapes',
      spec: { containers: [null, { name: 'a', securityContext: { capabilities: { add: 'NET_RAW' } } }, { name: 'b', ...adding(null, 7) }] },
    },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(capabilitiesBaseline, 37, spec)).toBe(ALLOWED);
  });

  it.each([
    { capability: 'NET_RAW' },
    { capability: 'SYS_ADMIN' },
    { capability: 'chown' },
    { capability: 'CAP_CHOWN' },
  ])('forbids $capability in one container, with the field path', ({ capability }) => {
    const result = runCheck(capabilitiesBaseline, 0, { containers: [{ name: 'a', ...adding('CHOWN', capability) }] });
    expect(result).toEqual({
      allowed: false,
      reason: 'non-default capabilities',
      detail: `container "a" must not include "${capability}" in securityContext.capabilities.add`,
      paths: ['spec.containers[0].securityContext.capabilities.add'],
    });
  });

  it('names several containers and the sorted distinct capabilities', () => {
    const result = runCheck(capabilitiesBaseline, 37, {
      containers: [
        { name: 'a', ...adding('FOO', 'BAR') },
        { name: 'b', ...adding('BAR', 'BAZ') },
      ],
    });
    expect(result.detail).toBe('containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add');
    expect(result.paths).toEqual([
      'spec.containers[0].securityContext.capabilities.add',
      'spec.containers[1].securityContext.capabilities.add',
    ]);
  });

  it("sorts capabilities in Go's byte order, not by UTF-16 code units", () => {
    const result = runCheck(capabilitiesBaseline, 37, { containers: [{ name: 'a', ...adding('b', '\u{1F600}', '\uFFFD', 'B', 'b') }] });
    expect(result.detail).toBe('container "a" must not include "B", "b", "\uFFFD", "\u{1F600}" in securityContext.capabilities.add');
  });

  it('names init, regular and ephemeral containers in PSA order, and ignores hostUsers', () => {
    const result = runCheck(capabilitiesBaseline, 37, {
      hostUsers: false,
      ephemeralContainers: [{ name: 'debug', ...adding('SYS_PTRACE') }],
      containers: [{ name: 'app', ...adding('KILL') }, { name: 'net', ...adding('NET_ADMIN') }],
      initContainers: [{ name: 'init', ...adding('NET_RAW') }],
    });
    expect(result.detail).toBe(
      'containers "init", "net", "debug" must not include "NET_ADMIN", "NET_RAW", "SYS_PTRACE" in securityContext.capabilities.add',
    );
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.capabilities.add',
      'spec.containers[1].securityContext.capabilities.add',
      'spec.ephemeralContainers[0].securityContext.capabilities.add',
    ]);
  });
});
