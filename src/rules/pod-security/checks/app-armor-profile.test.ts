import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { appArmorProfile } from './app-armor-profile.js';
import { runCheck } from './check-test-helpers.js';

const PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function profile(type: unknown) {
  return { appArmorProfile: { type } };
}

describe('appArmorProfile', () => {
  it('has one variant, from v1.0', () => {
    expect(appArmorProfile.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no annotations', spec: {}, annotations: undefined },
    { name: 'runtime/default + other annotations', spec: {}, annotations: { [`${PREFIX}test`]: 'runtime/default', env: 'prod' } },
    { name: 'localhost/ + other annotations', spec: {}, annotations: { [`${PREFIX}test`]: 'localhost/sec-profile01', env: 'dev' } },
    { name: 'empty and bare localhost/ annotations', spec: {}, annotations: { [`${PREFIX}a`]: '', [`${PREFIX}b`]: 'localhost/' } },
    { name: 'other annotations only', spec: {}, annotations: { env: 'unconfined' } },
    { name: 'non-string annotation values', spec: {}, annotations: { [`${PREFIX}a`]: 5 } },
    { name: 'pod RuntimeDefault', spec: { securityContext: profile('RuntimeDefault') }, annotations: undefined },
    {
      name: 'containers RuntimeDefault and Localhost',
      spec: { containers: [{ name: 'a', securityContext: profile('RuntimeDefault') }, { name: 'b', securityContext: profile('Localhost') }] },
      annotations: undefined,
    },
    { name: 'appArmorProfile: null', spec: { securityContext: { appArmorProfile: null } }, annotations: undefined },
  ])('allows $name', ({ spec, annotations }) => {
    const metadata = annotations ? { annotations: annotations as unknown as Record<string, string> } : {};
    expect(runCheck(appArmorProfile, 37, spec, metadata)).toBe(ALLOWED);
  });

  it.each([
    {
      name: 'an unconfined pod',
      spec: { securityContext: profile('Unconfined') },
      detail: 'pod must not set AppArmor profile type to "Unconfined"',
      paths: ['spec.securityContext.appArmorProfile.type'],
    },
    {
      name: 'an unconfined container',
      spec: { securityContext: profile('RuntimeDefault'), containers: [{ name: 'foo', securityContext: profile('Unconfined') }] },
      detail: 'container "foo" must not set AppArmor profile type to "Unconfined"',
      paths: ['spec.containers[0].securityContext.appArmorProfile.type'],
    },
    {
      name: 'an unconfined init container',
      spec: {
        securityContext: profile('RuntimeDefault'),
        containers: [{ name: 'foo' }],
        initContainers: [{ name: 'bar', securityContext: profile('Unconfined') }],
      },
      detail: 'container "bar" must not set AppArmor profile type to "Unconfined"',
      paths: ['spec.initContainers[0].securityContext.appArmorProfile.type'],
    },
    {
      name: 'a profile without a type',
      spec: { containers: [{ name: 'foo', securityContext: { appArmorProfile: {} } }] },
      detail: 'container "foo" must not set AppArmor profile type to ""',
      paths: ['spec.containers[0].securityContext.appArmorProfile.type'],
    },
  ])('forbids $name', ({ spec, detail, paths }) => {
    expect(runCheck(appArmorProfile, 0, spec)).toEqual({ allowed: false, reason: 'forbidden AppArmor profile', detail, paths });
  });

  it('names forbidden annotations sorted, with PSA quoting and map-entry paths', () => {
    const result = runCheck(
      appArmorProfile,
      37,
      {},
      {
        annotations: {
          [`${PREFIX}f`]: 'unknown',
          [`${PREFIX}`]: 'bogus',
          [`${PREFIX}a`]: '',
          [`${PREFIX}b`]: 'runtime/default',
          [`${PREFIX}c`]: 'localhost/',
          [`${PREFIX}d`]: 'localhost/foo',
          [`${PREFIX}e`]: 'unconfined',
        },
      },
    );
    expect(result).toEqual({
      allowed: false,
      reason: 'forbidden AppArmor profiles',
      detail:
        'annotations must not set AppArmor profile type to ' +
        `"${PREFIX}="bogus"", "${PREFIX}e="unconfined"", "${PREFIX}f="unknown""`,
      paths: [
        `metadata.annotations["${PREFIX}"]`,
        `metadata.annotations["${PREFIX}e"]`,
        `metadata.annotations["${PREFIX}f"]`,
      ],
    });
  });

  it('names one annotation in the singular', () => {
    const result = runCheck(appArmorProfile, 37, {}, { annotations: { [`${PREFIX}container1`]: 'unconfined' } });
    expect(result.reason).toBe('forbidden AppArmor profile');
    expect(result.detail).toBe(`annotation must not set AppArmor profile type to "${PREFIX}container1="unconfined""`);
    expect(result.paths).toEqual([`metadata.annotations["${PREFIX}container1"]`]);
  });

  it('sorts annotations by the key="value" entry, as PSA does', () => {
    const result = runCheck(appArmorProfile, 37, {}, { annotations: { [`${PREFIX}a`]: 'x', [`${PREFIX}a-b`]: 'y' } });
    expect(result.detail).toBe(`annotations must not set AppArmor profile type to "${PREFIX}a-b="y"", "${PREFIX}a="x""`);
    expect(result.paths).toEqual([`metadata.annotations["${PREFIX}a-b"]`, `metadata.annotations["${PREFIX}a"]`]);
  });

  it('joins pod, containers and annotations, with distinct sorted types before the annotations', () => {
    const result = runCheck(
      appArmorProfile,
      37,
      {
        securityContext: profile('Unconfined'),
        initContainers: [{ name: 'init', securityContext: profile('Unconfined') }],
        containers: [{ name: 'app', securityContext: profile('Bogus') }, { name: 'ok', securityContext: profile('Localhost') }],
        ephemeralContainers: [{ name: 'debug', securityContext: profile('Unconfined') }],
      },
      { annotations: { [`${PREFIX}app`]: 'unconfined' } },
    );
    expect(result).toEqual({
      allowed: false,
      reason: 'forbidden AppArmor profiles',
      detail:
        'pod and containers "init", "app", "debug" and annotation must not set AppArmor profile type to ' +
        `"Bogus", "Unconfined", "${PREFIX}app="unconfined""`,
      paths: [
        'spec.securityContext.appArmorProfile.type',
        'spec.initContainers[0].securityContext.appArmorProfile.type',
        'spec.containers[0].securityContext.appArmorProfile.type',
        'spec.ephemeralContainers[0].securityContext.appArmorProfile.type',
        `metadata.annotations["${PREFIX}app"]`,
      ],
    });
  });

  it('keeps one distinct type in the singular even when several setters use it', () => {
    const result = runCheck(appArmorProfile, 37, {
      securityContext: profile('Unconfined'),
      containers: [{ name: 'a', securityContext: profile('Unconfined') }],
    });
    expect(result.reason).toBe('forbidden AppArmor profile');
    expect(result.detail).toBe('pod and container "a" must not set AppArmor profile type to "Unconfined"');
  });

  it("sorts types and annotation entries in Go's byte order, not by UTF-16 code units", () => {
    const result = runCheck(
      appArmorProfile,
      37,
      { containers: [{ name: 'a', securityContext: profile('\u{1F600}') }, { name: 'b', securityContext: profile('\uFFFD') }] },
      { annotations: { [`${PREFIX}\u{1F600}`]: 'x', [`${PREFIX}\uFFFD`]: 'x' } },
    );
    expect(result.detail).toBe(
      'containers "a", "b" and annotations must not set AppArmor profile type to ' +
        `"\uFFFD", "\u{1F600}", "${PREFIX}\uFFFD="x"", "${PREFIX}\u{1F600}="x""`,
    );
    expect(result.paths.slice(2)).toEqual([`metadata.annotations["${PREFIX}\uFFFD"]`, `metadata.annotations["${PREFIX}\u{1F600}"]`]);
  });

  it('quotes annotation values the way Go %q does', () => {
    const result = runCheck(appArmorProfile, 37, {}, { annotations: { [`${PREFIX}a`]: 'un"confined\n' } });
    expect(result.detail).toBe(`annotation must not set AppArmor profile type to "${PREFIX}a="un\\"confined\\n""`);
  });
});
