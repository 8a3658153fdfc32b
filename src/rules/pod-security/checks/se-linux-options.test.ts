import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { seLinuxOptions } from './se-linux-options.js';

const withOptions = (name: string, options: unknown) => ({ name, securityContext: { seLinuxOptions: options } });
// The allowed containers of PSA's table, then the offending ones.
const GOOD_CONTAINERS = [
  withOptions('a', { type: 'container_t' }),
  withOptions('b', { type: 'container_init_t' }),
  withOptions('c', { type: 'container_kvm_t' }),
];
const BAD_CONTAINERS = [withOptions('d', { type: 'bar' }), withOptions('e', { user: 'bar' }), withOptions('f', { role: 'baz' })];
const BAD_POD_CONTEXT = { seLinuxOptions: { type: 'foo', user: 'bar', role: 'baz' } };
const POD_PATHS = ['type', 'user', 'role'].map((field) => `spec.securityContext.seLinuxOptions.${field}`);
const CONTAINER_PATHS = [
  'spec.containers[3].securityContext.seLinuxOptions.type',
  'spec.containers[4].securityContext.seLinuxOptions.user',
  'spec.containers[5].securityContext.seLinuxOptions.role',
];

describe('seLinuxOptions', () => {
  it.each([
    { name: 'no seLinuxOptions', pod: { securityContext: {}, containers: [{ name: 'a' }] } },
    { name: 'empty seLinuxOptions', pod: { securityContext: { seLinuxOptions: {} }, containers: [withOptions('a', {})] } },
    { name: 'the container types', pod: { securityContext: { seLinuxOptions: { type: 'container_t' } }, containers: GOOD_CONTAINERS } },
    { name: 'a level', pod: { containers: [withOptions('a', { level: 's0:c1,c2', type: '', user: '', role: '' })] } },
    { name: 'null and non-object options', pod: { securityContext: { seLinuxOptions: null }, containers: [withOptions('a', 'x')] } },
  ])('allows $name at every version, with the shared result', ({ pod }) => {
    for (const minor of [0, 30, 31, 37]) expect(runCheck(seLinuxOptions, minor, pod)).toBe(ALLOWED);
  });

  it.each([
    {
      name: 'invalid pod and containers',
      pod: { securityContext: BAD_POD_CONTEXT, containers: [...GOOD_CONTAINERS, ...BAD_CONTAINERS] },
      detail: 'pod and containers "d", "e", "f" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
      paths: [...POD_PATHS, ...CONTAINER_PATHS],
    },
    {
      name: 'invalid pod',
      pod: { securityContext: BAD_POD_CONTEXT, containers: GOOD_CONTAINERS },
      detail: 'pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set',
      paths: POD_PATHS,
    },
    {
      name: 'invalid containers',
      pod: { securityContext: { seLinuxOptions: {} }, containers: [...GOOD_CONTAINERS, ...BAD_CONTAINERS] },
      detail: 'containers "d", "e", "f" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set',
      paths: CONTAINER_PATHS,
    },
    {
      name: 'bad type',
      pod: { securityContext: { seLinuxOptions: { type: 'bad' } } },
      detail: 'pod set forbidden securityContext.seLinuxOptions: type "bad"',
      paths: ['spec.securityContext.seLinuxOptions.type'],
    },
    {
      name: 'bad user',
      pod: { securityContext: { seLinuxOptions: { user: 'bad' } } },
      detail: 'pod set forbidden securityContext.seLinuxOptions: user may not be set',
      paths: ['spec.securityContext.seLinuxOptions.user'],
    },
    {
      name: 'bad role',
      pod: { securityContext: { seLinuxOptions: { role: 'bad' } } },
      detail: 'pod set forbidden securityContext.seLinuxOptions: role may not be set',
      paths: ['spec.securityContext.seLinuxOptions.role'],
    },
  ])('matches PSA for $name', ({ pod, detail, paths }) => {
    for (const minor of [0, 31, 37]) {
      expect(runCheck(seLinuxOptions, minor, pod)).toEqual({ allowed: false, reason: 'seLinuxOptions', detail, paths });
    }
  });

  it('allows container_engine_t from v1.31 on', () => {
    const pod = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } }, containers: [withOptions('a', { type: 'container_engine_t' })] };
    expect(runCheck(seLinuxOptions, 30, pod)).toEqual({
      allowed: false,
      reason: 'seLinuxOptions',
      detail: 'pod and container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
      paths: ['spec.securityContext.seLinuxOptions.type', 'spec.containers[0].securityContext.seLinuxOptions.type'],
    });
    expect(runCheck(seLinuxOptions, 31, pod)).toBe(ALLOWED);
  });

  it('names init, regular and ephemeral containers in PSA order', () => {
    const result = runCheck(seLinuxOptions, 37, {
      initContainers: [withOptions('init', { type: 'z_t' })],
      containers: [withOptions('a', { type: 'a_t' })],
      ephemeralContainers: [withOptions('debug', { user: 'u' })],
    });
    expect(result.detail).toBe(
      'containers "init", "a", "debug" set forbidden securityContext.seLinuxOptions: types "a_t", "z_t"; user may not be set',
    );
    expect(result.paths).toEqual([
      'spec.initContainers[0].securityContext.seLinuxOptions.type',
      'spec.containers[0].securityContext.seLinuxOptions.type',
      'spec.ephemeralContainers[0].securityContext.seLinuxOptions.user',
    ]);
  });
});
