// The decision table of security-context-fields.ts, case by case: what each value means for the
// webhook's mutation (fills `unset`) and for `policygate fix` (also replaces `default-equivalent`,
// completes `incomplete`).
import { describe, expect, it } from 'vitest';
import {
  allowPrivilegeEscalationValue,
  capabilitiesDropValue,
  containerRefusal,
  effectiveRunAsUser,
  runAsNonRootValue,
  seccompProfileValue,
  securityContextOf,
  type FieldValue,
} from './security-context-fields.js';

describe('security context fields', () => {
  it.each<[unknown, FieldValue]>([
    [false, 'passes'],
    [undefined, 'unset'],
    [null, 'unset'],
    [true, 'default-equivalent'],
    ['false', 'invalid'],
    [0, 'invalid'],
  ])('allowPrivilegeEscalation %j is %s', (value, expected) => {
    expect(allowPrivilegeEscalationValue(value === undefined ? {} : { allowPrivilegeEscalation: value })).toBe(expected);
  });

  it.each<[unknown, FieldValue]>([
    [{ drop: ['ALL'] }, 'passes'],
    [{ drop: ['NET_RAW', 'ALL'], add: ['NET_BIND_SERVICE'] }, 'passes'],
    [undefined, 'unset'],
    [null, 'unset'],
    [{}, 'unset'],
    [{ drop: null }, 'unset'],
    [{ drop: [] }, 'unset'],
    [{ drop: ['NET_RAW', 'SYS_ADMIN'] }, 'incomplete'],
    [{ drop: ['all'] }, 'incomplete'],
    [{ drop: 'ALL' }, 'invalid'],
    ['ALL', 'invalid'],
  ])('capabilities %j: drop is %s', (capabilities, expected) => {
    expect(capabilitiesDropValue(capabilities === undefined ? {} : { capabilities })).toBe(expected);
  });

  it.each<[unknown, boolean, FieldValue]>([
    [true, false, 'passes'],
    [undefined, false, 'unset'],
    [null, true, 'unset'],
    [false, false, 'default-equivalent'],
    [false, true, 'deliberate'],
    ['true', false, 'invalid'],
  ])('runAsNonRoot %j (pod requires non-root: %j) is %s', (value, podRequiresNonRoot, expected) => {
    expect(runAsNonRootValue(value === undefined ? {} : { runAsNonRoot: value }, podRequiresNonRoot)).toBe(expected);
  });

  it.each<[unknown, FieldValue]>([
    [{ type: 'RuntimeDefault' }, 'passes'],
    [{ type: 'Localhost', localhostProfile: 'profiles/app.json' }, 'passes'],
    [undefined, 'unset'],
    [null, 'unset'],
    [{ type: 'Unconfined' }, 'deliberate'],
    [{ type: 'runtime/default' }, 'deliberate'],
    [{}, 'invalid'],
    ['RuntimeDefault', 'invalid'],
  ])('seccompProfile %j is %s', (seccompProfile, expected) => {
    expect(seccompProfileValue(seccompProfile === undefined ? {} : { seccompProfile })).toBe(expected);
  });

  it('leaves privileged and SYS_ADMIN containers alone', () => {
    expect(containerRefusal({ privileged: true })).toBe('the container is privileged');
    expect(containerRefusal({ capabilities: { add: ['CAP_SYS_ADMIN'] } })).toBe('the container adds SYS_ADMIN');
    expect(containerRefusal({ privileged: false, capabilities: { add: ['NET_BIND_SERVICE'] } })).toBeUndefined();
  });

  it('reads a securityContext that is unset as empty, and one that is not a map as unusable', () => {
    expect(securityContextOf({})).toEqual({});
    expect(securityContextOf({ securityContext: null })).toEqual({});
    expect(securityContextOf({ securityContext: 'x' })).toBeUndefined();
  });

  it("takes a container's runAsUser over the pod's", () => {
    expect(effectiveRunAsUser({ runAsUser: 0 }, {})).toBe(0);
    expect(effectiveRunAsUser({ runAsUser: 0 }, { runAsUser: 1000 })).toBe(1000);
    expect(effectiveRunAsUser(undefined, { runAsUser: null })).toBeUndefined();
  });
});
