// `policygate fix` and exceptions: what an exception excepts is accepted, so it is neither fixed nor
// counted as left to fix; the rest is fixed as without exceptions.
import { describe, expect, it } from 'vitest';
import { fixManifests } from '../../src/fix/fix-manifests.js';
import { testConfig } from '../helpers/config.js';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: shop
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: app
      image: registry.example.com/web:1.0
`;

describe('fix with exceptions', () => {
  it('leaves an excepted check as it is, and fixes the others', async () => {
    const plain = await fixManifests([{ name: 'shop.yaml', text: MANIFEST }], [], { config: testConfig(), namespace: 'default', positions: 'fixed' });
    expect(plain.files[0]?.fixed).toContain('seccompProfile');
    const config = testConfig({ exceptions: [{ name: 'web-seccomp', reason: 'r', match: { namespaces: ['shop'] }, checks: ['pod-security/seccompProfile_restricted'] }] });
    const excepted = await fixManifests([{ name: 'shop.yaml', text: MANIFEST }], [], { config, namespace: 'default', positions: 'fixed' });
    const fixed = excepted.files[0]?.fixed ?? '';
    expect(fixed).not.toContain('seccompProfile');
    expect(fixed).toContain('allowPrivilegeEscalation: false');
    expect(excepted.summary.remaining).toBe(0);
    // The seccomp finding was raised twice (enforce, and audit at restricted): neither is fixed.
    expect(excepted.summary.fixed).toBe(plain.summary.fixed - 2);
  });
});
