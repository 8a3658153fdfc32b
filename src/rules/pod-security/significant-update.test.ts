import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types.js';
import { isSignificantPodUpdate } from './significant-update.js';

function pod(spec: object, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec };
}
const base = { containers: [{ name: 'a', image: 'app:1' }], initContainers: [{ name: 'i', image: 'init:1' }] };

describe('isSignificantPodUpdate', () => {
  it.each([
    ['labels or unrelated annotations change', pod(base, { note: 'x' }), false],
    ['a container image changes', pod({ ...base, containers: [{ name: 'a', image: 'app:2' }] }), true],
    ['an init container image changes', pod({ ...base, initContainers: [{ name: 'i', image: 'init:2' }] }), true],
    ['a container is added', pod({ ...base, containers: [...base.containers, { name: 'b', image: 'b' }] }), true],
    ['an ephemeral container is added', pod({ ...base, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }), true],
    ['the pod seccomp annotation changes', pod(base, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }), true],
    ['a container seccomp annotation changes', pod(base, { 'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined' }), true],
    ['only resources change (resize)', pod({ ...base, containers: [{ name: 'a', image: 'app:1', resources: { limits: { cpu: '2' } } }] }), false],
  ])('%s → %s', (_, next, expected) => {
    expect(isSignificantPodUpdate(next, pod(base))).toBe(expected);
  });

  it('an existing ephemeral container whose image changes is significant; unchanged is not', () => {
    const before = pod({ ...base, ephemeralContainers: [{ name: 'debug', image: 'busybox:1' }] });
    expect(isSignificantPodUpdate(pod({ ...base, ephemeralContainers: [{ name: 'debug', image: 'busybox:1' }] }), before)).toBe(false);
    expect(isSignificantPodUpdate(pod({ ...base, ephemeralContainers: [{ name: 'debug', image: 'busybox:2' }] }), before)).toBe(true);
  });
});
