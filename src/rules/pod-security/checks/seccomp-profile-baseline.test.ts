import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { seccompProfileBaseline } from './seccomp-profile-baseline.js';

const POD_KEY = 'seccomp.security.alpha.kubernetes.io/pod';
const containerKey = (name: string) => `container.seccomp.security.alpha.kubernetes.io/${name}`;
const annotationPath = (key: string) => `metadata.annotations[${JSON.stringify(key)}]`;
const THREE_CONTAINERS = { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] };
const withProfile = (name: string, type?: string) => ({
  name,
  securityContext: type === undefined ? {} : { seccompProfile: { type } },
});

describe('seccompProfile_baseline', () => {
  describe('v1.0 - v1.18: annotations', () => {
    it.each([
      { name: 'no annotations', metadata: {} },
      { name: 'null annotations', metadata: { annotations: null } },
      {
        name: 'allowed values',
        metadata: {
          annotations: {
            [POD_KEY]: 'runtime/default',
            [containerKey('a')]: 'docker/default',
            [containerKey('b')]: 'localhost/profile.json',
            [containerKey('nobody')]: 'unconfined',
          },
        },
      },
      { name: 'a non-string value', metadata: { annotations: { [POD_KEY]: 5 } } },
    ])('allows $name', ({ metadata }) => {
      expect(runCheck(seccompProfileBaseline, 18, THREE_CONTAINERS, metadata as never)).toBe(ALLOWED);
    });

    it.each([
      {
        name: 'pod seccomp invalid',
        annotations: { [POD_KEY]: 'unconfined' },
        detail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
        paths: [annotationPath(POD_KEY)],
      },
      {
        name: 'containers seccomp invalid',
        annotations: { [containerKey('a')]: 'unconfined', [containerKey('b')]: 'unknown' },
        detail:
          'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown"',
        paths: [annotationPath(containerKey('a')), annotationPath(containerKey('b'))],
      },
      {
        name: 'pod and containers seccomp invalid',
        annotations: { [POD_KEY]: 'unconfined', [containerKey('a')]: 'unconfined', [containerKey('b')]: 'unknown' },
        detail:
          'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
        paths: [annotationPath(containerKey('a')), annotationPath(containerKey('b')), annotationPath(POD_KEY)],
      },
    ])('matches PSA for $name, sorted like a Go set', ({ annotations, detail, paths }) => {
      for (const minor of [0, 18]) {
        expect(runCheck(seccompProfileBaseline, minor, THREE_CONTAINERS, { annotations })).toEqual({
          allowed: false,
          reason: 'seccompProfile',
          detail,
          paths,
        });
      }
    });

    it('checks init and ephemeral containers, quotes values as Go does, and names a repeated container once', () => {
      const spec = { initContainers: [{ name: 'x' }], containers: [{ name: 'x' }], ephemeralContainers: [{ name: 'dbg' }] };
      const annotations = { [containerKey('x')]: '', [containerKey('dbg')]: 'say "hi"' };
      expect(runCheck(seccompProfileBaseline, 0, spec, { annotations })).toEqual({
        allowed: false,
        reason: 'seccompProfile',
        detail:
          'forbidden annotations container.seccomp.security.alpha.kubernetes.io/dbg="say \\"hi\\"", container.seccomp.security.alpha.kubernetes.io/x=""',
        paths: [annotationPath(containerKey('dbg')), annotationPath(containerKey('x'))],
      });
    });

    it('ignores the seccompProfile fields before v1.19', () => {
      const spec = { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [withProfile('a', 'Unconfined')] };
      expect(runCheck(seccompProfileBaseline, 18, spec)).toBe(ALLOWED);
    });
  });

  describe('v1.19+: seccompProfile.type', () => {
    it.each([
      { name: 'no seccompProfile', spec: { securityContext: {}, containers: [withProfile('a'), { name: 'b' }] } },
      {
        name: 'RuntimeDefault and Localhost',
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [withProfile('a', 'Localhost')] },
      },
      { name: 'null and non-object profiles', spec: { securityContext: { seccompProfile: null }, containers: [{ name: 'a', securityContext: { seccompProfile: 'Unconfined' } }] } },
    ])('allows $name', ({ spec }) => {
      for (const minor of [19, 37]) expect(runCheck(seccompProfileBaseline, minor, spec)).toBe(ALLOWED);
    });

    const PSA_CONTAINERS = [
      { name: 'a', securityContext: null },
      withProfile('b'),
      withProfile('c', 'Unconfined'),
      withProfile('d', 'Unconfined'),
      withProfile('e', 'RuntimeDefault'),
      withProfile('f', 'RuntimeDefault'),
    ];
    it.each([
      {
        name: 'pod seccomp invalid',
        spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a', securityContext: null }] },
        detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
        paths: ['spec.securityContext.seccompProfile.type'],
      },
      {
        name: 'containers seccomp invalid',
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: PSA_CONTAINERS },
        detail: 'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
        paths: ['spec.containers[2].securityContext.seccompProfile.type', 'spec.containers[3].securityContext.seccompProfile.type'],
      },
      {
        name: 'pod and containers seccomp invalid',
        spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: PSA_CONTAINERS },
        detail: 'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
        paths: [
          'spec.securityContext.seccompProfile.type',
          'spec.containers[2].securityContext.seccompProfile.type',
          'spec.containers[3].securityContext.seccompProfile.type',
        ],
      },
    ])('matches PSA for $name', ({ spec, detail, paths }) => {
      for (const minor of [19, 37]) {
        expect(runCheck(seccompProfileBaseline, minor, spec)).toEqual({ allowed: false, reason: 'seccompProfile', detail, paths });
      }
    });

    it('names one container in the singular, sorts the values, and reads a missing type as ""', () => {
      const spec = {
        securityContext: { seccompProfile: {} },
        initContainers: [withProfile('init', 'Unconfined')],
        ephemeralContainers: [withProfile('debug', 'Other')],
      };
      expect(runCheck(seccompProfileBaseline, 37, spec)).toEqual({
        allowed: false,
        reason: 'seccompProfile',
        detail: 'pod and containers "init", "debug" must not set securityContext.seccompProfile.type to "", "Other", "Unconfined"',
        paths: [
          'spec.securityContext.seccompProfile.type',
          'spec.initContainers[0].securityContext.seccompProfile.type',
          'spec.ephemeralContainers[0].securityContext.seccompProfile.type',
        ],
      });
      expect(runCheck(seccompProfileBaseline, 37, { containers: [withProfile('a', 'Unconfined')] }).detail).toBe(
        'container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
      );
    });

    it('ignores the annotations from v1.19 on', () => {
      expect(runCheck(seccompProfileBaseline, 19, THREE_CONTAINERS, { annotations: { [POD_KEY]: 'unconfined' } })).toBe(ALLOWED);
    });
  });
});
