import { describe, expect, it } from 'vitest';
import { formatLevelVersion, parseVersion, type Level } from './level-version.js';
import { defaultPolicy, podSecurityLabelsChanged, policyFromLabels, type NamespacePolicy } from './policy.js';

/** Defaults at these levels, every version `latest`. */
function defaultsAt(enforce: Level, audit: Level, warn: Level) {
  return defaultPolicy({ enforce, 'enforce-version': 'latest', audit, 'audit-version': 'latest', warn, 'warn-version': 'latest' });
}
const DEFAULTS = defaultsAt('baseline', 'restricted', 'restricted');
const PRIVILEGED_DEFAULTS = defaultsAt('privileged', 'privileged', 'privileged');

/** `{ enforce: 'restricted' }` -> `{ 'pod-security.kubernetes.io/enforce': 'restricted' }`. */
function psLabels(short: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(short).map(([key, value]) => [`pod-security.kubernetes.io/${key}`, value]));
}

function formatted(policy: NamespacePolicy) {
  return { enforce: formatLevelVersion(policy.enforce), audit: formatLevelVersion(policy.audit), warn: formatLevelVersion(policy.warn) };
}

describe('policyFromLabels', () => {
  it.each([
    { name: 'no labels: the defaults', labels: {}, defaults: DEFAULTS, expected: { enforce: 'baseline:latest', audit: 'restricted:latest', warn: 'restricted:latest' } },
    {
      name: 'labels override the defaults, versions kept as written',
      labels: psLabels({ enforce: 'restricted', 'enforce-version': 'v1.99', audit: 'baseline' }),
      defaults: DEFAULTS,
      expected: { enforce: 'restricted:v1.99', audit: 'baseline:latest', warn: 'restricted:latest' },
    },
    {
      name: 'warn follows a stricter enforce label, with its version',
      labels: psLabels({ enforce: 'restricted', 'enforce-version': 'v1.25' }),
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:v1.25', audit: 'privileged:latest', warn: 'restricted:v1.25' },
    },
    {
      name: 'warn follows enforce but keeps its own version label',
      labels: psLabels({ enforce: 'baseline', 'enforce-version': 'v1.25', 'warn-version': 'v1.30' }),
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'baseline:v1.25', audit: 'privileged:latest', warn: 'baseline:v1.30' },
    },
    {
      name: 'an explicit warn label is kept even when weaker than enforce',
      labels: psLabels({ enforce: 'restricted', warn: 'privileged' }),
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid enforce level fails closed, and warn does not follow it',
      labels: psLabels({ enforce: 'Restricted' }),
      defaults: PRIVILEGED_DEFAULTS,
      expected: { enforce: 'restricted:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid audit and warn levels fail open',
      labels: psLabels({ audit: 'strict', warn: '' }),
      defaults: DEFAULTS,
      expected: { enforce: 'baseline:latest', audit: 'privileged:latest', warn: 'privileged:latest' },
    },
    {
      name: 'invalid version is latest',
      labels: psLabels({ 'enforce-version': 'v1.022' }),
      defaults: DEFAULTS,
      expected: { enforce: 'baseline:latest', audit: 'restricted:latest', warn: 'restricted:latest' },
    },
  ])('$name', ({ labels, defaults, expected }) => {
    expect(formatted(policyFromLabels(labels, defaults).policy)).toEqual(expected);
  });

  it('reports each invalid label, its value and what it must be', () => {
    const { errors } = policyFromLabels(psLabels({ enforce: 'strict', 'warn-version': '1.25' }), DEFAULTS);
    expect(errors).toEqual([
      { label: 'pod-security.kubernetes.io/enforce', value: 'strict', expected: 'one of privileged, baseline, restricted' },
      { label: 'pod-security.kubernetes.io/warn-version', value: '1.25', expected: '"latest" or "v1.x"' },
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
  it.each(['enforce', 'enforce-version', 'audit', 'audit-version', 'warn', 'warn-version'])('sees a change of %s', (label) => {
    expect(podSecurityLabelsChanged(psLabels({ [label]: 'a' }), psLabels({ [label]: 'b' }))).toBe(true);
    expect(podSecurityLabelsChanged({}, psLabels({ [label]: 'a' }))).toBe(true);
    expect(podSecurityLabelsChanged(psLabels({ [label]: 'a' }), undefined)).toBe(true);
    expect(podSecurityLabelsChanged(psLabels({ [label]: 'a' }), { ...psLabels({ [label]: 'a' }), team: 'b' })).toBe(false);
  });

  it('ignores every other label', () => {
    expect(podSecurityLabelsChanged({ team: 'a' }, { team: 'b' })).toBe(false);
    expect(podSecurityLabelsChanged(undefined, { 'pod-security.kubernetes.io/other': 'x' })).toBe(false);
  });
});
