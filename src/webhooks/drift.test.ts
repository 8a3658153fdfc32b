// What counts as a registered configuration that differs from policygate's: every field it sets must
// hold its value; fields the API server adds are left alone; an empty selector must stay empty.
import { describe, expect, it } from 'vitest';
import { validatingWebhookConfiguration } from './configurations.js';
import { differences, holds, type RegisteredConfiguration } from './drift.js';

const desired = { ...validatingWebhookConfiguration({ service: { namespace: 'policygate', name: 'policygate' }, caBundle: 'CA' }) };
const withOwner = { ...desired, metadata: { ...desired.metadata, ownerReferences: [{ uid: 'role-uid' }] } };

/** As the API server returns it: the metadata it adds, and the same webhooks. */
function registered(change: (configuration: RegisteredConfiguration) => void = () => {}): RegisteredConfiguration {
  const copy = structuredClone({ ...withOwner, metadata: { ...withOwner.metadata, uid: 'x', resourceVersion: '7', generation: 1, ownerReferences: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'policygate-webhook-configurations', uid: 'role-uid' }] } }) as unknown as RegisteredConfiguration;
  change(copy);
  return copy;
}

describe('holds', () => {
  it.each([
    [{ a: 1, b: [1, 2] }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: [1, 2, 3] }, { a: [1, 2] }, false],
    [{ selector: { matchLabels: { x: 'y' } } }, { selector: {} }, false],
    [{ selector: {} }, { selector: {} }, true],
    [{ nested: { a: 1, added: true } }, { nested: { a: 1 } }, true],
    [undefined, { a: 1 }, false],
  ])('%j holds %j: %s', (actual, wanted, expected) => {
    expect(holds(actual, wanted)).toBe(expected);
  });
});

describe('differences', () => {
  it('finds none in what policygate registered, read back with the metadata the API server adds', () => {
    expect(differences(registered(), withOwner)).toEqual([]);
  });

  it('ignores a field a newer API server adds to a webhook', () => {
    expect(differences(registered((configuration) => ((configuration.webhooks?.[0] as Record<string, unknown>).futureField = 'x')), withOwner)).toEqual([]);
  });

  it.each([
    ['a failurePolicy switched to Ignore', (c: RegisteredConfiguration) => ((c.webhooks?.[0] as { failurePolicy: string }).failurePolicy = 'Ignore'), ['webhooks[0].failurePolicy']],
    ['a rule removed', (c: RegisteredConfiguration) => (c.webhooks?.[0] as { rules: unknown[] }).rules.pop(), ['webhooks[0].rules']],
    ['an objectSelector that would stop requests', (c: RegisteredConfiguration) => ((c.webhooks?.[0] as { objectSelector: object }).objectSelector = { matchLabels: { skip: 'no' } }), ['webhooks[0].objectSelector']],
    ['another caBundle', (c: RegisteredConfiguration) => ((c.webhooks?.[0] as { clientConfig: { caBundle: string } }).clientConfig.caBundle = 'OTHER'), ['webhooks[0].clientConfig']],
    ['a second webhook', (c: RegisteredConfiguration) => c.webhooks?.push({}), ['webhooks']],
    ['a label removed', (c: RegisteredConfiguration) => delete c.metadata?.labels?.['app.kubernetes.io/managed-by'], ['metadata.labels']],
    ['no owner', (c: RegisteredConfiguration) => delete c.metadata?.ownerReferences, ['metadata.ownerReferences']],
    ["cert-manager's CA injection", (c: RegisteredConfiguration) => ((c.metadata as { annotations?: object }).annotations = { 'cert-manager.io/inject-ca-from': 'policygate/policygate-tls' }), ['metadata.annotations["cert-manager.io/inject-ca-from"]']],
  ])('finds %s', (_, change, expected) => {
    expect(differences(registered(change), withOwner)).toEqual(expected);
  });
});
