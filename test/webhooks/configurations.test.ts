// The webhook configurations policygate registers (and `policygate webhooks` prints), checked against the
// code they describe: the webhooks send exactly the kinds the rules and mutations apply to, to routes the
// server has; nothing that could lock a cluster out of itself (its own namespace, kube-system, leases,
// events) is ever sent; every field the API server would default is set.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_RESOURCES } from '../../src/audit/resources.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { formatKind, MUTATIONS, RULES } from '../../src/rules/index.js';
import type { ResourceKind } from '../../src/rules/types.js';
import { buildApp } from '../../src/server/app.js';
import { webhookConfigurations, type RuleWithOperations, type WebhookConfiguration } from '../../src/webhooks/configurations.js';
import { JUDGED_SUBRESOURCES } from '../../src/webhooks/subresources.js';
import { runCli } from '../cli/run-cli.js';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';

const key = (group: string, resource: string) => `${group === '' ? 'core' : group}/${resource}`;

function resourcesOf(kinds: readonly ResourceKind[]): Set<string> {
  return new Set(
    kinds.map((kind) => {
      const resource = AUDITED_RESOURCES.find((candidate) => candidate.group === kind.group && candidate.kind === kind.kind);
      if (!resource) throw new Error(`no resource for ${formatKind(kind)}`);
      return key(resource.group, resource.resource);
    }),
  );
}

const subresources = (webhook: 'validate' | 'mutate') => JUDGED_SUBRESOURCES.filter((subresource) => subresource.webhooks.includes(webhook)).map((subresource) => key(subresource.group, subresource.resource));
const VALIDATED = new Set([...resourcesOf(RULES.flatMap((rule) => rule.meta.appliesTo)), ...subresources('validate')]);
const MUTATED = new Set([...resourcesOf(MUTATIONS.flatMap((mutation) => mutation.appliesTo)), ...subresources('mutate')]);

/** Every (group, resource) a webhook's rules match, with the operations each is sent for. */
function matched(rules: readonly RuleWithOperations[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const operations = result.get(key(group, resource)) ?? new Set<string>();
        for (const operation of rule.operations) operations.add(operation);
        result.set(key(group, resource), operations);
      }
    }
  }
  return result;
}

const SERVICE = { namespace: 'policygate', name: 'policygate', port: 443 };
let app: FastifyInstance;
let certs: TestCertificates;
beforeAll(async () => {
  app = buildApp({ config: DEFAULT_CONFIG });
  await app.ready();
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await app?.close();
  await certs?.cleanup();
});

describe('the webhook configurations', () => {
  const [validating, mutating] = webhookConfigurations({ service: SERVICE, caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
  const both = [
    { configuration: validating, expected: VALIDATED },
    { configuration: mutating, expected: MUTATED },
  ];

  it('are one validating and one mutating webhook, named policygate, calling routes the server has through the Service', () => {
    expect([validating.kind, mutating.kind]).toEqual(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    expect([validating.metadata.name, mutating.metadata.name]).toEqual(['policygate', 'policygate']);
    expect([validating, mutating].map((configuration) => configuration.webhooks.map((webhook) => webhook.name))).toEqual([['validate.policygate.dev'], ['mutate.policygate.dev']]);
    for (const { configuration } of both) {
      const { service, caBundle } = configuration.webhooks[0].clientConfig;
      expect(service).toMatchObject({ namespace: 'policygate', name: 'policygate', port: 443 });
      expect(app.hasRoute({ method: 'POST', url: service.path }), `POST ${service.path}`).toBe(true);
      expect(Buffer.from(caBundle ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    }
    expect([validating, mutating].map((configuration) => configuration.webhooks[0].clientConfig.service.path)).toEqual(['/validate', '/mutate']);
  });

  it('send exactly the kinds the rules (validating) and mutations (mutating) apply to, and the judged subresources, for CREATE and UPDATE only', () => {
    // Every pod subresource is judged, as PSA judges them; the Namespace's status and finalize can change its labels.
    for (const subresource of ['core/pods/*', 'core/namespaces/status', 'core/namespaces/finalize']) expect(VALIDATED.has(subresource), subresource).toBe(true);
    expect(MUTATED.has('core/pods/ephemeralcontainers')).toBe(true);
    for (const { configuration, expected } of both) {
      const webhook = configuration.webhooks[0];
      const sent = matched(webhook.rules);
      expect(new Set(sent.keys()), configuration.kind).toEqual(expected);
      for (const [resource, operations] of sent) {
        expect([...operations].every((operation) => operation === 'CREATE' || operation === 'UPDATE'), `${resource}: ${[...operations].join(', ')}`).toBe(true);
        // Objects are judged when created; a subresource is changed by UPDATEs.
        expect(operations.has(resource.split('/').length > 2 ? 'UPDATE' : 'CREATE'), resource).toBe(true);
      }
      for (const rule of webhook.rules) {
        for (const field of ['apiGroups', 'apiVersions', 'operations', 'resources'] as const) expect(rule[field], `${configuration.kind} ${field}`).not.toContain('*');
        // One wildcard, on purpose: every pod subresource is validated (the ignored few are kept back by a match condition).
        for (const resource of rule.resources.filter((candidate) => candidate.includes('*'))) expect(`${configuration.kind} ${resource}`).toBe('ValidatingWebhookConfiguration pods/*');
        // Each resource at the version and scope it is served with (the audit lists them the same way).
        for (const group of rule.apiGroups) {
          for (const resource of rule.resources) {
            const served = AUDITED_RESOURCES.find((candidate) => candidate.group === group && candidate.resource === resource.split('/')[0]);
            expect(served, `${group}/${resource}`).toBeDefined();
            expect(rule.apiVersions, `${group}/${resource}`).toEqual([served?.version]);
            expect(rule.scope, `${group}/${resource}`).toBe(served?.namespaced ? 'Namespaced' : 'Cluster');
          }
        }
      }
      // A pod's status and binding match `pods/*` and are kept back by a match condition: ./match-conditions.test.ts.
      for (const never of ['core/events', 'coordination.k8s.io/leases', 'events.k8s.io/events', 'core/nodes']) {
        expect(sent.has(never), never).toBe(false);
      }
    }
    // Every kind is judged on UPDATE too: the validating webhook judges what the mutating one may have changed.
    for (const [resource, operations] of matched(validating.webhooks[0].rules)) if (resource.split('/').length === 2) expect([...operations].sort(), resource).toEqual(['CREATE', 'UPDATE']);
    // A Pod's spec is immutable: mutated on CREATE only.
    expect([...(matched(mutating.webhooks[0].rules).get('core/pods') ?? [])]).toEqual(['CREATE']);
  });

  it('never send requests in kube-system, kube-node-lease or their own namespace, nor about those Namespaces; more when asked', () => {
    const [withMore] = webhookConfigurations({ service: { ...SERVICE, namespace: 'gate' }, excludedNamespaces: ['cert-manager', 'kube-system'] });
    for (const { configuration } of [...both, { configuration: withMore }]) {
      const webhook = configuration.webhooks[0];
      // A namespaceSelector is matched against the namespace's labels, and for a Namespace object against
      // that Namespace's own labels: one NotIn on the name label covers both.
      expect(webhook.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining(['kube-system', 'kube-node-lease', webhook.clientConfig.service.namespace]) }] });
      expect(webhook.objectSelector).toEqual({});
    }
    expect(withMore.webhooks[0].namespaceSelector.matchExpressions[0]?.values).toEqual(['kube-system', 'kube-node-lease', 'gate', 'cert-manager']);
  });

  it('are safe to call: no side effects, v1 reviews, short timeouts, a deliberate failurePolicy, reinvocation for mutations, match conditions per webhook', () => {
    for (const { configuration } of both) {
      const webhook = configuration.webhooks[0];
      expect(webhook.sideEffects).toBe('None');
      expect(webhook.admissionReviewVersions).toEqual(['v1']);
      expect(webhook.timeoutSeconds).toBeLessThanOrEqual(5);
      expect(webhook.matchPolicy).toBe('Equivalent');
    }
    // Defaults are never needed on an object being deleted; what validation keeps back is in ./match-conditions.test.ts.
    expect(mutating.webhooks[0].matchConditions).toEqual([{ name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' }]);
    expect(validating.webhooks[0].matchConditions.map((condition) => condition.name)).toEqual([
      'not-an-ignored-pod-subresource',
      'namespace-subresource-changes-labels',
      'not-only-letting-a-deleted-object-go',
    ]);
    expect(validating.webhooks[0].failurePolicy).toBe('Fail');
    expect(mutating.webhooks[0].failurePolicy).toBe('Ignore');
    expect(mutating.webhooks[0].reinvocationPolicy).toBe('IfNeeded');
    expect(webhookConfigurations({ service: SERVICE, failurePolicy: 'Ignore' })[0].webhooks[0].failurePolicy).toBe('Ignore');
  });

  it('set every field the API server would default, so that what is read back is what was written', () => {
    const defaulted = ['failurePolicy', 'matchPolicy', 'namespaceSelector', 'objectSelector', 'sideEffects', 'timeoutSeconds', 'admissionReviewVersions'];
    for (const { configuration } of both) {
      const webhook = configuration.webhooks[0] as unknown as Record<string, unknown>;
      for (const field of defaulted) expect(webhook[field], `${configuration.kind} ${field}`).toBeDefined();
      for (const rule of configuration.webhooks[0].rules) expect(rule.scope).toBeDefined();
      expect(configuration.webhooks[0].clientConfig.service.port).toBe(443);
    }
    expect(mutating.webhooks[0].reinvocationPolicy).toBeDefined();
  });
});

describe('policygate webhooks', () => {
  function parsed(stdout: string): WebhookConfiguration[] {
    return parseAllDocuments(stdout).map((document) => document.toJS() as WebhookConfiguration).filter((document) => document !== null);
  }

  it('prints exactly what serve --register-webhooks registers, as YAML, with the CA bundle given', async () => {
    const { code, stdout, stderr } = await runCli(['webhooks', '--ca-bundle', certs.files.caCert, '--service', 'gate/webhook:8443', '--failure-policy', 'Ignore', '--exclude-namespace', 'cert-manager']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# policygate \d+\.\d+\.\d+: the webhook configurations `policygate serve --register-webhooks` registers\.\n/);
    const caBundle = await readFile(certs.files.caCert, 'utf8');
    expect(parsed(stdout)).toEqual(
      webhookConfigurations({ service: { namespace: 'gate', name: 'webhook', port: 8443 }, caBundle, failurePolicy: 'Ignore', excludedNamespaces: ['cert-manager'] }),
    );
  });

  it('leaves caBundle out without --ca-bundle, and calls policygate/policygate:443 by default', async () => {
    const { code, stdout } = await runCli(['webhooks']);
    expect(code).toBe(0);
    expect(parsed(stdout)).toEqual(webhookConfigurations({ service: SERVICE }));
    expect(stdout).not.toContain('caBundle');
  });

  it.each([
    [['--failure-policy', 'fail'], 'policygate webhooks: --failure-policy must be one of Fail, Ignore (got "fail")\n'],
    [['--service', 'a/b/c'], 'policygate webhooks: --service must be a Service as NAME, NAMESPACE/NAME or NAMESPACE/NAME:PORT (got "a/b/c")\n'],
    [['--service', 'gate/Web'], 'policygate webhooks: --service must be a Service name such as "policygate" (got "Web")\n'],
    [['--service', 'gate/web:0'], 'policygate webhooks: --service must be a port number 1-65535 (got "0")\n'],
    [['--exclude-namespace', 'Kube_System'], 'policygate webhooks: --exclude-namespace must be a namespace name such as "team-a" (got "Kube_System")\n'],
    [['--ca-bundle', 'missing.crt'], `policygate webhooks: cannot read --ca-bundle ${join(process.cwd(), 'test', 'cli', 'fixtures', 'missing.crt')}: ENOENT\n`],
    [['--ca-bundle', 'clean.yaml'], `policygate webhooks: --ca-bundle ${join(process.cwd(), 'test', 'cli', 'fixtures', 'clean.yaml')} holds no PEM certificate\n`],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    expect(await runCli(['webhooks', ...args])).toEqual({ code: 2, stdout: '', stderr: message });
  });
});
