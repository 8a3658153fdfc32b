import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { hostPorts } from './host-ports.js';

describe('hostPorts', () => {
  it('has one variant, from v1.0', () => {
    expect(hostPorts.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no ports', spec: { containers: [{ name: 'a' }] } },
    { name: 'container ports only', spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } },
    { name: 'hostPort: 0', spec: { initContainers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 0 }] }] } },
    { name: 'odd shapes', spec: { containers: [null, { name: 'a', ports: 'x' }, { name: 'b', ports: [null, { hostPort: '80' }] }] } },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(hostPorts, 37, spec)).toBe(ALLOWED);
  });

  it('names one container and one port in the singular', () => {
    const result = runCheck(hostPorts, 0, {
      containers: [
        { name: 'a', ports: [{ hostPort: 0 }] },
        { name: 'b', ports: [{ hostPort: 0 }, { hostPort: 20 }] },
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: 'hostPort',
      detail: 'container "b" uses hostPort 20',
      paths: ['spec.containers[1].ports[1].hostPort'],
    });
  });

  it('names several containers and the distinct ports in the plural', () => {
    const result = runCheck(hostPorts, 37, {
      containers: [
        { name: 'a', ports: [{ hostPort: 0 }] },
        { name: 'b', ports: [{ hostPort: 0 }, { hostPort: 10 }, { hostPort: 20 }] },
        { name: 'c', ports: [{ hostPort: 0 }, { hostPort: 10 }, { hostPort: 30 }] },
      ],
    });
    expect(result.detail).toBe('containers "b", "c" use hostPorts 10, 20, 30');
    expect(result.paths).toEqual([
      'spec.containers[1].ports[1].hostPort',
      'spec.containers[1].ports[2].hostPort',
      'spec.containers[2].ports[1].hostPort',
      'spec.containers[2].ports[2].hostPort',
    ]);
  });

  it('names init, regular and ephemeral containers in PSA order, and sorts ports as text', () => {
    const result = runCheck(hostPorts, 37, {
      containers: [{ name: 'app', ports: [{ hostPort: 9 }] }],
      initContainers: [{ name: 'init', ports: [{ containerPort: 1 }, { hostPort: 100 }] }],
      ephemeralContainers: [{ name: 'debug', ports: [{ hostPort: 20 }] }],
    });
    expect(result.detail).toBe('containers "init", "app", "debug" use hostPorts 100, 20, 9');
    expect(result.paths).toEqual([
      'spec.initContainers[0].ports[1].hostPort',
      'spec.containers[0].ports[0].hostPort',
      'spec.ephemeralContainers[0].ports[0].hostPort',
    ]);
  });

  it('uses the plural verb for one port shared by two containers', () => {
    const result = runCheck(hostPorts, 37, {
      initContainers: [{ name: 'i', ports: [{ hostPort: 80 }] }],
      containers: [{ name: 'c', ports: [{ hostPort: 80 }] }],
    });
    expect(result.detail).toBe('containers "i", "c" use hostPort 80');
  });
});
