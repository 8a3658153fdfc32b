import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { containerName, containerPath, visitContainers, type ContainerVisitor } from './containers.js';

const collect: ContainerVisitor<string, string[]> = (container, list, index, specPath, found) => {
  (found ??= []).push(`${containerPath(specPath, list, index)}=${containerName(container)}`);
  return found;
};

describe('visitContainers', () => {
  it('visits init, regular and ephemeral containers in that order, whatever the key order', () => {
    const spec = {
      ephemeralContainers: [{ name: 'debug' }],
      containers: [{ name: 'a' }, { name: 'b' }],
      initContainers: [{ name: 'init' }],
    } as V1PodSpec;
    expect(visitContainers(spec, collect, 'spec.template.spec')).toEqual([
      'spec.template.spec.initContainers[0]=init',
      'spec.template.spec.containers[0]=a',
      'spec.template.spec.containers[1]=b',
      'spec.template.spec.ephemeralContainers[0]=debug',
    ]);
  });

  it('skips entries that are not objects, keeping the others\' indexes, and lists that are not arrays', () => {
    const spec = { initContainers: 'x', containers: [null, 3, 'c', { name: 'a' }], ephemeralContainers: { name: 'e' } } as unknown as V1PodSpec;
    expect(visitContainers(spec, collect, 'spec')).toEqual(['spec.containers[3]=a']);
  });

  it('returns the `found` it started with when no visit changes it, and undefined for no containers', () => {
    const start = ['pod'];
    expect(visitContainers({ containers: [{ name: 'a' }] } as V1PodSpec, (_c, _l, _i, _ctx, found) => found, undefined, start)).toBe(start);
    expect(visitContainers({} as V1PodSpec, collect, 'spec')).toBeUndefined();
  });

  it('threads what each visit returns into the next', () => {
    const spec = { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }] } as V1PodSpec;
    const count: ContainerVisitor<undefined, number> = (_container, _list, _index, _context, found) => (found ?? 0) + 1;
    expect(visitContainers(spec, count, undefined)).toBe(3);
  });
});

describe('containerName', () => {
  it('is the name, or "" when it is missing or not a string', () => {
    expect(containerName({ name: 'app' })).toBe('app');
    expect(containerName({} as never)).toBe('');
    expect(containerName({ name: 42 } as never)).toBe('');
    expect(containerName({ name: null } as never)).toBe('');
  });
});
