import { describe, expect, it } from 'vitest';
import { evaluatePod, violationMessage, wouldViolateMessage } from './evaluate.js';
import { LATEST } from './level-version.js';
import { podUnderReview } from './pod-spec.js';

const pod = podUnderReview({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] },
});

describe('PSA wording of an evaluation', () => {
  it('aggregates failures in PSA order into its denial and warning texts', () => {
    const messages = evaluatePod({ level: 'baseline', version: LATEST }, pod!).map((failure) => failure.message);
    expect(violationMessage({ level: 'baseline', version: LATEST }, messages)).toBe(
      'violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
    );
    expect(wouldViolateMessage('baseline:v1.30', messages)).toBe(
      'would violate PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
    );
  });

  it('privileged allows everything', () => {
    expect(evaluatePod({ level: 'privileged', version: LATEST }, pod!)).toEqual([]);
  });
});
