import { describe, expect, it } from 'vitest';
import { forbidden, type CheckPodFn } from './check.js';
import { evaluatePod, violationMessage, wouldViolateMessage } from './evaluate.js';
import { LATEST } from './level-version.js';
import { podUnderReview } from './pod-spec.js';
import type { CheckTables } from './registry.js';

const pod = podUnderReview({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] },
})!;

/** Tables that hold one baseline check, at every version. */
function onlyCheck(checkPod: CheckPodFn): CheckTables {
  return { baseline: [[{ id: 'privileged', checkPod }]], restricted: [], both: [] };
}

describe('evaluatePod', () => {
  it('returns each failing check in PSA order, with its message and field paths', () => {
    expect(evaluatePod({ level: 'baseline', version: LATEST }, pod)).toEqual([
      { check: 'hostNamespaces', reason: 'host namespaces', message: 'host namespaces (hostNetwork=true)', paths: ['spec.hostNetwork'] },
      {
        check: 'privileged',
        reason: 'privileged',
        message: 'privileged (container "a" must not set securityContext.privileged=true)',
        paths: ['spec.containers[0].securityContext.privileged'],
      },
    ]);
  });

  it('privileged allows everything', () => {
    expect(evaluatePod({ level: 'privileged', version: LATEST }, pod)).toEqual([]);
  });

  it.each([
    { name: 'the reason alone when there is no detail', result: forbidden('odd', '', []), reason: 'odd', message: 'odd' },
    { name: "PSA's fallback when there is no reason", result: forbidden('', 'detail', []), reason: 'unknown forbidden reason', message: 'unknown forbidden reason (detail)' },
  ])('words a failure with $name', ({ result, reason, message }) => {
    const version = { latest: false, minor: 0 } as const;
    expect(evaluatePod({ level: 'baseline', version }, pod, onlyCheck(() => result))).toEqual([{ check: 'privileged', reason, message, paths: [] }]);
  });
});

describe('PSA wording of an evaluation', () => {
  it('aggregates failures in PSA order into its denial and warning texts', () => {
    const messages = evaluatePod({ level: 'baseline', version: LATEST }, pod).map((failure) => failure.message);
    expect(violationMessage({ level: 'baseline', version: LATEST }, messages)).toBe(
      'violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
    );
    expect(wouldViolateMessage('baseline:v1.30', messages)).toBe(
      'would violate PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
    );
  });
});
