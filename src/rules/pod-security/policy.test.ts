import { describe, expect, it } from 'vitest';
import { formatLevelVersion, parseVersion } from './level-version.js';
import { defaultPolicy, podSecurityLabelsChanged, policyFromLabels, type NamespacePolicy } from './policy.js';

const DEFAULTS = defaultPolicy({ enforce: 'baseline', 'enforce-version': 'latest', warn: 'restricted', 'warn-version': 'latest', audit: 'restricted', 'audit-version': 'latest' });
const PRIVILEGED_DEFAULTS = defaultPolicy({ enforce: 'privileged', 'enforce-version': 'latest', warn: 'privileged', 'warn-version': 'latest', audit: 'privileged', 'audit-version': 'latest' });

function formatted(policy: NamespacePolicy) {
  return { enforce: formatLevelVersion(policy.enforce), audit: formatLevelVersion(policy.audit), warn: formatLevelVersion(policy.warn) };
}

describe('policyFromLabels', () => {
  it.each([
    { name: 'no labels: the defaults', labels: {}, defaults: DEFAULTS, expected: { enforce: 'baseline:latest', audit: 'restricted:latest', warn: 'restricted:latest' } },
    {
      name: 'labels override the defaults, versions kept as written',
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.99', 'pod-security.kubernetes.io/audit': 'baseline' },
      defaults: DEFAULTS,
      expected: { enforce: 'restricted:v1.99', audit: 'baseline:latest', warn: 'restricted:latest' },
    },
    {
      name: 'warn follows a stricter enforce label, with its version',
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.25' },
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:v1.25', audit: 'privileged:latest', warn: 'restricted:v1.25' },
    },
    {
      name: 'warn follows enforce but keeps its own version label',
      labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.25', 'pod-security.kubernetes.io/warn-version': 'v1.30' },
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'baseline:v1.25', audit: 'privileged:latest', warn: 'baseline:v1.30' },
    },
    {
      name: 'an explicit warn label is kept even when weaker than enforce',
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'privileged' },
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid enforce level fails closed, and warn does not follow it',
      labels: { 'pod-security.kubernetes.io/enforce': 'Restricted' },
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid audit and warn levels fail open',
      labels: { 'pod-security.kubernetes.io/audit': 'strict', 'pod-security.kubernetes.io/warn': '' },
      defaults: DEFAULTS,
      expected: { enforce: 'baseline:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid version is latest',
      labels: { 'pod-security.kubernetes.io/enforce-version': 'v1.022' },
      defaults: DEFAULTS,
      expected: { enforce: 'baseline:latest', audit: 'restricted:latest', warn: 'restricted:latest' },
    },
  ])('$name', ({ labels, defaults, expected }) => {
    expect(formatted(policyFromLabels(labels as Record<string, string>, defaults).policy)).toEqual(expected);
  });

  it('reports each invalid label as the API server words a field error', () => {
    const { errors } = policyFromLabels({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn-version': '1.25' }, DEFAULTS);
    expect(errors.map((error) => error.message)).toEqual([
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"',
    ]);
  });
});

describe('parseVersion', () => {
  it.each([
    ['latest', { latest: true }],
    ['v1.0', { latest: false, minor: 0 }],
    ['v1.37', { latest: false, minor: 37 }],
    ['v1.40', { latest: false, minor: 40 }],
  ])('accepts %s', (text, expected) => expect(parseVersion(text)).toEqual(expected));
  it.each(['v1.05', 'v2.0', '1.25', 'v1.', 'Latest', 'v1.25.0', ''])('rejects %j', (text) => expect(parseVersion(text)).toBeUndefined());
});

describe('podSecurityLabelsChanged', () => {
  it('sees a change of any of the six labels and nothing else', () => {
    expect(podSecurityLabelsChanged({ team: 'a' }, { team: 'b' })).toBe(false);
    expect(podSecurityLabelsChanged({}, { 'pod-security.kubernetes.io/audit-version': 'v1.30' })).toBe(true);
    expect(podSecurityLabelsChanged({ 'pod-security.kubernetes.io/enforce': 'baseline' }, undefined)).toBe(true);
  });
});
