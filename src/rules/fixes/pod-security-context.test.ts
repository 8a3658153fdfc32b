// The fixer's decisions, case by case: the exact patch, and that restricted passes afterwards on
// everything it claims to fix (or fails only where a note says why).
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../json-patch-apply.js';
import { evaluatePod } from '../pod-security/evaluate.js';
import { LATEST } from '../pod-security/level-version.js';
import { podUnderReview } from '../pod-security/pod-spec.js';
import type { KubeObject } from '../types.js';
import { POD_SECURITY_CONTEXT_CHECKS, planPodSecurityContextFix } from './pod-security-context.js';

const ALL_CHECKS: ReadonlySet<string> = new Set(POD_SECURITY_CONTEXT_CHECKS);

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec };
}

function restrictedFailures(object: KubeObject): string[] {
  return evaluatePod({ level: 'restricted', version: LATEST }, podUnderReview(object)!).map((failure) => failure.check);
}

/** Plans for the checks the object fails, applies the plan, and checks that a second plan is empty. */
function fix(object: KubeObject) {
  const failing = new Set(restrictedFailures(object));
  const plan = planPodSecurityContextFix(object, failing);
  const fixed = applyJsonPatch(object, plan.operations);
  expect(planPodSecurityContextFix(fixed, new Set(restrictedFailures(fixed))).operations).toEqual([]);
  return { ...plan, fixed, remaining: restrictedFailures(fixed) };
}

describe('planPodSecurityContextFix', () => {
  it('puts seccompProfile and runAsNonRoot on the pod when no container sets them, the rest per container', () => {
    const { operations, notes, remaining } = fix(pod({ containers: [{ name: 'app' }, { name: 'sidecar', securityContext: { readOnlyRootFilesystem: true } }] }));
    expect(operations).toEqual([
      { op: 'add', path: '/spec/securityContext', value: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
      { op: 'add', path: '/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
      { op: 'add', path: '/spec/containers/1/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/1/securityContext/capabilities', value: { drop: ['ALL'] } },
    ]);
    expect(notes).toEqual([]);
    expect(remaining).toEqual([]);
  });

  it('puts them per container beside the containers that already set their own', () => {
    const { operations, remaining } = fix(
      pod({
        initContainers: [{ name: 'init', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' }, runAsNonRoot: true } }],
        containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      }),
    );
    expect(operations).toEqual([
      { op: 'add', path: '/spec/containers/0/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/0/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
    ]);
    expect(remaining).toEqual([]);
  });

  it('replaces the default-equivalent values: allowPrivilegeEscalation true, runAsNonRoot false on the pod', () => {
    const { operations, remaining } = fix(
      pod({
        securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } }],
      }),
    );
    expect(operations).toEqual([
      { op: 'replace', path: '/spec/securityContext/runAsNonRoot', value: true },
      { op: 'replace', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
    ]);
    expect(remaining).toEqual([]);
  });

  it("replaces a container's runAsNonRoot false when the pod does not require non-root", () => {
    const { operations, remaining } = fix(
      pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: false } }] }),
    );
    expect(operations).toEqual([{ op: 'replace', path: '/spec/containers/0/securityContext/runAsNonRoot', value: true }]);
    expect(remaining).toEqual([]);
  });

  it("leaves a container's runAsNonRoot false under a pod that requires true, with a note", () => {
    const { operations, notes, remaining } = fix(
      pod({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: false } }],
      }),
    );
    expect(operations).toEqual([]);
    expect(notes).toEqual([{ path: 'spec.containers[0].securityContext.runAsNonRoot', reason: expect.stringContaining('asks to run as root') }]);
    expect(remaining).toEqual(['runAsNonRoot']);
  });

  it('appends ALL to a drop list without it, keeping what it lists; fills an empty list', () => {
    const { operations, fixed, remaining } = fix(
      pod({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          { name: 'a', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['NET_RAW'] } } },
          { name: 'b', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [] } } },
          { name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'] } } },
        ],
      }),
    );
    expect(operations).toEqual([
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities/drop/-', value: 'ALL' },
      { op: 'add', path: '/spec/containers/1/securityContext/capabilities/drop/-', value: 'ALL' },
      { op: 'add', path: '/spec/containers/2/securityContext/capabilities/drop', value: ['ALL'] },
    ]);
    expect((fixed.spec as { containers: { securityContext: { capabilities: unknown } }[] }).containers[0]?.securityContext.capabilities).toEqual({ drop: ['NET_RAW', 'ALL'] });
    expect(remaining).toEqual([]);
  });

  it('never overrides a chosen seccomp profile type (Unconfined), on the pod or a container', () => {
    const base = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    const onPod = fix(pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'app', securityContext: base }] }));
    expect(onPod.operations).toEqual([]);
    expect(onPod.notes.map((note) => note.path)).toEqual(['spec.securityContext.seccompProfile.type']);
    expect(onPod.remaining).toEqual(['seccompProfile_restricted']);

    const onContainer = fix(
      pod({
        securityContext: { runAsNonRoot: true },
        containers: [
          { name: 'a', securityContext: { ...base, seccompProfile: { type: 'Unconfined' } } },
          { name: 'b', securityContext: base },
        ],
      }),
    );
    expect(onContainer.operations).toEqual([{ op: 'add', path: '/spec/containers/1/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } }]);
    expect(onContainer.notes.map((note) => note.path)).toEqual(['spec.containers[0].securityContext.seccompProfile.type']);
    expect(onContainer.remaining).toEqual(['seccompProfile_restricted']);
  });

  it('leaves privileged and SYS_ADMIN containers, and runAsNonRoot on a container running as user 0, with notes', () => {
    const { operations, notes } = fix(
      pod({
        containers: [
          { name: 'priv', securityContext: { privileged: true } },
          { name: 'admin', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
          { name: 'root', securityContext: { runAsUser: 0 } },
          { name: 'app' },
        ],
      }),
    );
    expect(operations).toEqual([
      { op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' } } },
      { op: 'add', path: '/spec/containers/0/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/1/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/2/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/2/securityContext/capabilities', value: { drop: ['ALL'] } },
      { op: 'add', path: '/spec/containers/3/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true } },
    ]);
    expect(notes.map((note) => note.path)).toEqual([
      'spec.containers[0].securityContext.allowPrivilegeEscalation',
      'spec.containers[1].securityContext.allowPrivilegeEscalation',
      'spec.containers[0].securityContext.capabilities.drop',
      'spec.containers[1].securityContext.capabilities.drop',
      'spec.containers[2].securityContext.runAsNonRoot',
    ]);
  });

  it("does not require non-root of containers that inherit the pod's runAsUser 0", () => {
    const { operations, notes } = fix(pod({ securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] }));
    expect(operations).toEqual([]);
    expect(notes.map((note) => note.path)).toEqual(['spec.containers[0].securityContext.runAsNonRoot']);
  });

  it('gives a Windows pod runAsNonRoot only, with notes for the fields the API server forbids there', () => {
    const object = pod({ os: { name: 'windows' }, containers: [{ name: 'app' }] });
    const plan = planPodSecurityContextFix(object, ALL_CHECKS);
    expect(plan.operations).toEqual([{ op: 'add', path: '/spec/securityContext', value: { runAsNonRoot: true } }]);
    expect(plan.notes.map((note) => note.path)).toEqual([
      'spec.securityContext.allowPrivilegeEscalation',
      'spec.securityContext.capabilities',
      'spec.securityContext.seccompProfile',
    ]);
  });

  it('fixes only the checks that failed', () => {
    const object = pod({ containers: [{ name: 'app' }] });
    expect(planPodSecurityContextFix(object, new Set(['runAsNonRoot']))).toEqual({
      operations: [{ op: 'add', path: '/spec/securityContext', value: { runAsNonRoot: true } }],
      checks: ['runAsNonRoot'],
      notes: [],
    });
    expect(planPodSecurityContextFix(object, new Set(['privileged']))).toEqual({ operations: [], checks: [], notes: [] });
  });

  it('fills null like absent, and leaves values of the wrong type with a note', () => {
    const { operations, notes } = fix(
      pod({
        securityContext: null,
        containers: [
          { name: 'a', securityContext: { allowPrivilegeEscalation: null, capabilities: null } },
          { name: 'b', securityContext: { allowPrivilegeEscalation: 'false', capabilities: { drop: 'ALL' } } },
          { name: 'c', securityContext: 'restricted' },
        ],
      }),
    );
    expect(operations).toEqual([
      { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { drop: ['ALL'] } },
      { op: 'add', path: '/spec/containers/0/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/0/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
      { op: 'add', path: '/spec/containers/1/securityContext/runAsNonRoot', value: true },
      { op: 'add', path: '/spec/containers/1/securityContext/seccompProfile', value: { type: 'RuntimeDefault' } },
    ]);
    expect(notes.map((note) => note.path)).toEqual([
      'spec.containers[2].securityContext',
      'spec.containers[1].securityContext.allowPrivilegeEscalation',
      'spec.containers[1].securityContext.capabilities',
    ]);
  });

  it.each(['Deployment', 'CronJob'])('finds the pod template of a %s', (kind) => {
    const template = { spec: { containers: [{ name: 'app' }] } };
    const object: KubeObject =
      kind === 'CronJob'
        ? { apiVersion: 'batch/v1', kind, spec: { jobTemplate: { spec: { template } } } }
        : { apiVersion: 'apps/v1', kind, spec: { template } };
    const prefix = kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
    expect(planPodSecurityContextFix(object, ALL_CHECKS).operations.map((operation) => operation.path)).toEqual([`${prefix}/securityContext`, `${prefix}/containers/0/securityContext`]);
  });
});
