import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { hostNamespaces } from './host-namespaces.js';

describe('hostNamespaces', () => {
  it('has one variant, from v1.0', () => {
    expect(hostNamespaces.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no host namespace fields', spec: { containers: [{ name: 'a' }] } },
    { name: 'all false', spec: { hostNetwork: false, hostPID: false, hostIPC: false } },
    { name: 'truthy non-booleans', spec: { hostNetwork: 'true', hostPID: 1, hostIPC: {} } },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(hostNamespaces, 37, spec)).toBe(ALLOWED);
  });

  it.each([
    { minor: 0, spec: { hostIPC: true }, detail: 'hostIPC=true', paths: ['spec.hostIPC'] },
    { minor: 37, spec: { hostNetwork: true }, detail: 'hostNetwork=true', paths: ['spec.hostNetwork'] },
    { minor: 37, spec: { hostPID: true }, detail: 'hostPID=true', paths: ['spec.hostPID'] },
    {
      minor: 37,
      spec: { hostIPC: true, hostPID: true, hostNetwork: true },
      detail: 'hostNetwork=true, hostPID=true, hostIPC=true',
      paths: ['spec.hostNetwork', 'spec.hostPID', 'spec.hostIPC'],
    },
  ])('forbids $detail at v1.$minor, in PSA order', ({ minor, spec, detail, paths }) => {
    expect(runCheck(hostNamespaces, minor, spec)).toEqual({ allowed: false, reason: 'host namespaces', detail, paths });
  });
});
