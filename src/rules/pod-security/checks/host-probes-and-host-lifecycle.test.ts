import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { hostProbesAndHostLifecycle } from './host-probes-and-host-lifecycle.js';

const REASON = 'probe or lifecycle host';

describe('hostProbesAndHostLifecycle', () => {
  it('applies from v1.34 only', () => {
    expect(hostProbesAndHostLifecycle.versions.map((version) => version.minimumMinor)).toEqual([34]);
    expect(() => runCheck(hostProbesAndHostLifecycle, 33, {})).toThrow(/no variant at v1\.33/);
  });

  it.each([
    { name: 'no probes', spec: { containers: [{ name: 'a' }] } },
    {
      name: 'probes and handlers without a host',
      spec: {
        containers: [
          {
            name: 'a',
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: 8080, host: '' } },
            startupProbe: { exec: { command: ['true'] } },
            lifecycle: { postStart: { httpGet: { port: 80 } }, preStop: { sleep: { seconds: 1 } } },
          },
        ],
      },
    },
    {
      name: 'odd shapes',
      spec: { containers: [null, 'x', { name: 'a', livenessProbe: 'x', lifecycle: { postStart: { httpGet: { host: 7 } } } }] },
    },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(hostProbesAndHostLifecycle, 37, spec)).toBe(ALLOWED);
  });

  it.each([
    {
      name: 'httpGet host in a liveness probe',
      container: { name: 'a', livenessProbe: { httpGet: { host: 'invalid.host' } } },
      detail: 'container "a" uses probe or lifecycle host "invalid.host"',
      path: 'spec.containers[0].livenessProbe.httpGet.host',
    },
    {
      name: 'tcpSocket host in a readiness probe',
      container: { name: 'b', readinessProbe: { tcpSocket: { host: 'invalid.host' } } },
      detail: 'container "b" uses probe or lifecycle host "invalid.host"',
      path: 'spec.containers[0].readinessProbe.tcpSocket.host',
    },
    {
      name: 'httpGet host in a startup probe',
      container: { name: 'c', startupProbe: { httpGet: { host: 'invalid.host' } } },
      detail: 'container "c" uses probe or lifecycle host "invalid.host"',
      path: 'spec.containers[0].startupProbe.httpGet.host',
    },
    {
      name: 'tcpSocket host in postStart',
      container: { name: 'd', lifecycle: { postStart: { tcpSocket: { host: 'invalid.host' } } } },
      detail: 'container "d" uses probe or lifecycle host "invalid.host"',
      path: 'spec.containers[0].lifecycle.postStart.tcpSocket.host',
    },
    {
      name: 'httpGet host in preStop',
      container: { name: 'e', lifecycle: { preStop: { httpGet: { host: 'another.invalid.host' } } } },
      detail: 'container "e" uses probe or lifecycle host "another.invalid.host"',
      path: 'spec.containers[0].lifecycle.preStop.httpGet.host',
    },
    {
      name: 'an IPv4 host',
      container: { name: 'a', livenessProbe: { httpGet: { host: '8.8.8.8' } } },
      detail: 'container "a" uses probe or lifecycle host "8.8.8.8"',
      path: 'spec.containers[0].livenessProbe.httpGet.host',
    },
    {
      name: 'an IPv6 host',
      container: { name: 'a', livenessProbe: { tcpSocket: { host: '2001:4860:4860::8888' } } },
      detail: 'container "a" uses probe or lifecycle host "2001:4860:4860::8888"',
      path: 'spec.containers[0].livenessProbe.tcpSocket.host',
    },
  ])('forbids $name', ({ container, detail, path }) => {
    for (const minor of [34, 37]) {
      expect(runCheck(hostProbesAndHostLifecycle, minor, { containers: [container] })).toEqual({
        allowed: false,
        reason: REASON,
        detail,
        paths: [path],
      });
    }
  });

  it('names the init container that sets a host', () => {
    const result = runCheck(hostProbesAndHostLifecycle, 37, {
      initContainers: [{ name: 'init', livenessProbe: { httpGet: { host: 'invalid.init.host' } } }],
    });
    expect(result.detail).toBe('container "init" uses probe or lifecycle host "invalid.init.host"');
    expect(result.paths).toEqual(['spec.initContainers[0].livenessProbe.httpGet.host']);
  });

  it('lists the distinct hosts of one container, sorted', () => {
    const result = runCheck(hostProbesAndHostLifecycle, 37, {
      containers: [
        {
          name: 'a',
          livenessProbe: { httpGet: { host: '127.0.0.1' } },
          readinessProbe: { tcpSocket: { host: '::1' } },
          startupProbe: { httpGet: { host: 'localhost' } },
        },
      ],
    });
    expect(result.detail).toBe('container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"');
    expect(result.paths).toEqual([
      'spec.containers[0].livenessProbe.httpGet.host',
      'spec.containers[0].readinessProbe.tcpSocket.host',
      'spec.containers[0].startupProbe.httpGet.host',
    ]);
  });

  it('names several containers in the plural, with distinct hosts', () => {
    const result = runCheck(hostProbesAndHostLifecycle, 37, {
      containers: [
        { name: 'valid' },
        { name: 'invalid1', livenessProbe: { httpGet: { host: 'a.com' } } },
        {
          name: 'invalid2',
          lifecycle: { preStop: { tcpSocket: { host: 'b.com' } } },
          startupProbe: { httpGet: { host: 'a.com' } },
        },
      ],
    });
    expect(result.detail).toBe('containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com"');
    expect(result.paths).toEqual([
      'spec.containers[1].livenessProbe.httpGet.host',
      'spec.containers[2].startupProbe.httpGet.host',
      'spec.containers[2].lifecycle.preStop.tcpSocket.host',
    ]);
  });

  it("sorts names and hosts in Go's byte order, not by UTF-16 code units", () => {
    const result = runCheck(hostProbesAndHostLifecycle, 37, {
      containers: [
        { name: '\u{1F600}', livenessProbe: { httpGet: { host: '\u{1F600}' } } },
        { name: '\uFFFD', livenessProbe: { httpGet: { host: '\uFFFD' } } },
      ],
    });
    expect(result.detail).toBe('containers "\uFFFD", "\u{1F600}" use probe or lifecycle hosts "\uFFFD", "\u{1F600}"');
    expect(result.paths).toEqual(['spec.containers[1].livenessProbe.httpGet.host', 'spec.containers[0].livenessProbe.httpGet.host']);
  });

  it('names containers once each, sorted by name, with paths in that order', () => {
    const result = runCheck(hostProbesAndHostLifecycle, 37, {
      initContainers: [{ name: 'zeta', readinessProbe: { tcpSocket: { host: 'h' } } }],
      containers: [
        { name: 'beta', livenessProbe: { httpGet: { host: 'h' } } },
        { name: 'zeta', lifecycle: { postStart: { httpGet: { host: 'h' } } } },
      ],
      ephemeralContainers: [{ name: 'alpha', startupProbe: { httpGet: { host: 'h' } } }],
    });
    expect(result.detail).toBe('containers "alpha", "beta", "zeta" use probe or lifecycle host "h"');
    expect(result.paths).toEqual([
      'spec.ephemeralContainers[0].startupProbe.httpGet.host',
      'spec.containers[0].livenessProbe.httpGet.host',
      'spec.initContainers[0].readinessProbe.tcpSocket.host',
      'spec.containers[1].lifecycle.postStart.httpGet.host',
    ]);
  });
});
