import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../check.js';
import { runCheck } from './check-test-helpers.js';
import { windowsHostProcess } from './windows-host-process.js';

function hostProcess(value: unknown) {
  return { windowsOptions: { hostProcess: value } };
}

describe('windowsHostProcess', () => {
  it('has one variant, from v1.0', () => {
    expect(windowsHostProcess.versions.map((version) => version.minimumMinor)).toEqual([0]);
  });

  it.each([
    { name: 'no securityContext', spec: { containers: [{ name: 'a' }] } },
    {
      name: 'hostProcess false or unset',
      spec: {
        securityContext: hostProcess(false),
        containers: [
          { name: 'a', securityContext: null },
          { name: 'b', securityContext: {} },
          { name: 'c', securityContext: { windowsOptions: {} } },
          { name: 'd', securityContext: hostProcess(false) },
          { name: 'e', securityContext: hostProcess('true') },
        ],
      },
    },
  ])('allows $name', ({ spec }) => {
    expect(runCheck(windowsHostProcess, 37, spec)).toBe(ALLOWED);
  });

  it('names the pod and the containers that set it', () => {
    const result = runCheck(windowsHostProcess, 0, {
      securityContext: hostProcess(true),
      containers: [
        { name: 'a', securityContext: null },
        { name: 'b', securityContext: {} },
        { name: 'c', securityContext: { windowsOptions: {} } },
        { name: 'd', securityContext: hostProcess(false) },
        { name: 'e', securityContext: hostProcess(true) },
        { name: 'f', securityContext: hostProcess(true) },
      ],
    });
    expect(result).toEqual({
      allowed: false,
      reason: 'hostProcess',
      detail: 'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
      paths: [
        'spec.securityContext.windowsOptions.hostProcess',
        'spec.containers[4].securityContext.windowsOptions.hostProcess',
        'spec.containers[5].securityContext.windowsOptions.hostProcess',
      ],
    });
  });

  it.each([
    {
      name: 'the pod alone',
      spec: { securityContext: hostProcess(true), containers: [{ name: 'a' }] },
      detail: 'pod must not set securityContext.windowsOptions.hostProcess=true',
      paths: ['spec.securityContext.windowsOptions.hostProcess'],
    },
    {
      name: 'one container, in the singular',
      spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'init', securityContext: hostProcess(true) }] },
      detail: 'container "init" must not set securityContext.windowsOptions.hostProcess=true',
      paths: ['spec.initContainers[0].securityContext.windowsOptions.hostProcess'],
    },
    {
      name: 'init, regular and ephemeral containers in PSA order',
      spec: {
        ephemeralContainers: [{ name: 'debug', securityContext: hostProcess(true) }],
        containers: [{ name: 'app', securityContext: hostProcess(true) }],
        initContainers: [{ name: 'init', securityContext: hostProcess(true) }],
      },
      detail: 'containers "init", "app", "debug" must not set securityContext.windowsOptions.hostProcess=true',
      paths: [
        'spec.initContainers[0].securityContext.windowsOptions.hostProcess',
        'spec.containers[0].securityContext.windowsOptions.hostProcess',
        'spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess',
      ],
    },
  ])('names $name', ({ spec, detail, paths }) => {
    expect(runCheck(windowsHostProcess, 37, spec)).toEqual({ allowed: false, reason: 'hostProcess', detail, paths });
  });
});
