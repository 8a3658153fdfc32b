import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { runAsNonRoot } from './run-as-non-root.js';

const REASON = 'runAsNonRoot != true';

const withRunAsNonRoot = (name: string, runAsNonRoot: unknown) => ({ name, securityContext: { runAsNonRoot } });

describe('runAsNonRoot', () => {
  it('starts at v1.0 and exempts user-namespace pods from v1.35', () => {
    expect(runAsNonRoot.versions.map((version) => version.minimumMinor)).toEqual([0, 35]);
    expect(runAsNonRoot.versions.every((version) => !version.overrideCheckIds)).toBe(true);
  });

  it.each([
    { name: 'pod-level true', minor: 0, pod: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }, { name: 'b', securityContext: {} }] } },
    { name: 'container-level true everywhere', minor: 37, pod: { initContainers: [withRunAsNonRoot('i', true)], containers: [withRunAsNonRoot('a', true)] } },
    { name: 'pod and container true', minor: 37, pod: { securityContext: { runAsNonRoot: true }, containers: [withRunAsNonRoot('a', true)] } },
    { name: 'no containers at all', minor: 37, pod: {} },
    { name: 'hostUsers false at v1.35 (PSA "host users false allowed")', minor: 35, pod: { hostUsers: false } },
    { name: 'hostUsers false at v1.37, even with runAsNonRoot false', minor: 37, pod: { hostUsers: false, securityContext: { runAsNonRoot: false }, containers: [{ name: 'a' }] } },
  ])('allows $name', ({ minor, pod }) => {
    expect(runCheck(runAsNonRoot, minor, pod)).toBe(ALLOWED);
  });

  it.each([0, 34, 35, 37])('asks pod or container to set true when neither does, at v1.%i (PSA "no explicit runAsNonRoot")', (minor) => {
    expect(runCheck(runAsNonRoot, minor, { containers: [{ name: 'a' }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
      paths: ['spec.securityContext.runAsNonRoot', 'spec.containers[0].securityContext.runAsNonRoot'],
    });
  });

  it('names the pod that sets false (PSA "pod runAsNonRoot=false")', () => {
    expect(runCheck(runAsNonRoot, 37, { securityContext: { runAsNonRoot: false }, containers: [{ name: 'a', securityContext: null }] })).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod must not set securityContext.runAsNonRoot=false',
      paths: ['spec.securityContext.runAsNonRoot'],
    });
  });

  it('names the containers that set false, in the plural (PSA "containers runAsNonRoot=false")', () => {
    const result = runCheck(runAsNonRoot, 37, {
      securityContext: { runAsNonRoot: true },
      containers: [
        { name: 'a', securityContext: null },
        { name: 'b', securityContext: {} },
        withRunAsNonRoot('c', false),
        withRunAsNonRoot('d', false),
        withRunAsNonRoot('e', true),
        withRunAsNonRoot('f', true),
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'containers "c", "d" must not set securityContext.runAsNonRoot=false',
      paths: ['spec.containers[2].securityContext.runAsNonRoot', 'spec.containers[3].securityContext.runAsNonRoot'],
    });
  });

  it('names the containers that leave it unset, in the plural (PSA "pod nil, container fallthrough")', () => {
    const result = runCheck(runAsNonRoot, 37, {
      containers: [{ name: 'a', securityContext: null }, { name: 'b', securityContext: {} }, withRunAsNonRoot('d', true), withRunAsNonRoot('e', true)],
    });
    expect(result).toEqual({
      allowed: false,
      reason: REASON,
      detail: 'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
      paths: ['spec.securityContext.runAsNonRoot', 'spec.containers[0].securityContext.runAsNonRoot', 'spec.containers[1].securityContext.runAsNonRoot'],
    });
  });

  it('names pod and containers that set false together, ahead of containers that leave it unset', () => {
    const result = runCheck(runAsNonRoot, 37, {
      securityContext: { runAsNonRoot: false },
      initContainers: [withRunAsNonRoot('init', false)],
      containers: [{ name: 'unset' }],
      ephemeralContainers: [withRunAsNonRoot('debug', false)],
    });
    expect(result.detail).toBe('pod and containers "init", "debug" must not set securityContext.runAsNonRoot=false');
    expect(result.paths).toEqual([
      'spec.securityContext.runAsNonRoot',
      'spec.initContainers[0].securityContext.runAsNonRoot',
      'spec.ephemeralContainers[0].securityContext.runAsNonRoot',
    ]);
  });

  it.each([
    { name: 'hostUsers false before v1.35', minor: 34, hostUsers: false },
    { name: 'hostUsers true at v1.35', minor: 35, hostUsers: true },
    { name: 'hostUsers "false" (not a boolean) at v1.37', minor: 37, hostUsers: 'false' },
  ])('still checks a pod with $name', ({ minor, hostUsers }) => {
    expect(runCheck(runAsNonRoot, minor, { hostUsers, containers: [{ name: 'a' }] }).detail).toBe(
      'pod or container "a" must set securityContext.runAsNonRoot=true',
    );
  });

  it('treats non-boolean values as unset', () => {
    const result = runCheck(runAsNonRoot, 37, { securityContext: { runAsNonRoot: 'false' }, containers: [withRunAsNonRoot('a', 0)] });
    expect(result.detail).toBe('pod or container "a" must set securityContext.runAsNonRoot=true');
  });
});
