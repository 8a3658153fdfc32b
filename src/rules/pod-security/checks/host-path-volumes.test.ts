import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { hostPathVolumes } from './host-path-volumes.js';

describe('hostPathVolumes', () => {
  it('has one variant, from v1.0', () => {
    expect(hostPathVolumes.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no volumes', spec: {} },
    { name: 'volumes that is not a list', spec: { volumes: { a: { hostPath: {} } } } },
    { name: 'other volume types', spec: { volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'c' } }] } },
    { name: 'hostPath: null', spec: { volumes: [{ name: 'a', hostPath: null }] } },
    { name: 'odd entries', spec: { volumes: [null, 3, 'x', { name: 'a', hostPath: 'x' }] } },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(hostPathVolumes, 37, spec)).toBe(ALLOWED);
  });

  it('names one volume in the singular, with the field path', () => {
    const result = runCheck(hostPathVolumes, 0, {
      volumes: [{ name: 'volume-emptydir', emptyDir: {} }, { name: 'volume-hostpath', hostPath: { path: '/a' } }],
    });
    expect(result).toEqual({
      allowed: false,
      reason: 'hostPath volumes',
      detail: 'volume "volume-hostpath"',
      paths: ['spec.volumes[1].hostPath'],
    });
  });

  it('names several volumes in the plural, in spec order', () => {
    const result = runCheck(hostPathVolumes, 37, {
      volumes: [
        { name: 'b', hostPath: {} },
        { name: 'a', hostPath: {} },
        { name: 'c', emptyDir: {} },
      ],
    });
    expect(result.detail).toBe('volumes "b", "a"');
    expect(result.paths).toEqual(['spec.volumes[0].hostPath', 'spec.volumes[1].hostPath']);
  });

  it('names a volume without a name as ""', () => {
    expect(runCheck(hostPathVolumes, 37, { volumes: [{ hostPath: {} }] }).detail).toBe('volume ""');
  });
});
