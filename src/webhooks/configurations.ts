// policygate's ValidatingWebhookConfiguration and MutatingWebhookConfiguration, made from the code they
// describe: the webhooks are sent exactly the kinds the rules (validating) and mutations (mutating)
// apply to, plus the subresources listed in ./subresources.ts, for CREATE and UPDATE. `serve
// --register-webhooks` registers these objects once it is ready and keeps them; `policygate webhooks`
// prints them for those who apply them themselves. One source, so the two can never disagree with the
// rules, and no YAML copy can drift from either.
//
// Every field the API server would default is set, so that what is read back equals what was written
// and a change made by someone else shows as a difference (./drift.ts).
import { AUDITED_RESOURCES, type AuditedResource } from '../audit/resources.js';
import { formatKind, MUTATIONS, RULES } from '../rules/index.js';
import type { ResourceKind } from '../rules/types.js';
import { RELEASE_FIELDS, RELEASE_METADATA_FIELDS } from '../admission/terminating.js';
import { IGNORED_POD_SUBRESOURCES } from '../rules/pod-security/subresources.js';
import { JUDGED_SUBRESOURCES, type Subresource } from './subresources.js';

/** Both configurations' name: one policygate per cluster. */
export const WEBHOOK_CONFIGURATION_NAME = 'policygate';
export const VALIDATING_WEBHOOK_NAME = 'validate.policygate.dev';
export const MUTATING_WEBHOOK_NAME = 'mutate.policygate.dev';
/** The namespaces never sent, besides policygate's own: the control plane must keep working without it. */
export const ALWAYS_EXCLUDED_NAMESPACES = ['kube-system', 'kube-node-lease'] as const;
export const FAILURE_POLICIES = ['Fail', 'Ignore'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export interface ServiceReference {
  namespace: string;
  name: string;
  /** Default 443. */
  port?: number;
}

export interface WebhookOptions {
  /** The Service in front of policygate that the API server calls. */
  service: ServiceReference;
  /** The PEM CA bundle the API server trusts for the Service; left out when undefined. */
  caBundle?: string | undefined;
  /** What the validating webhook does when policygate does not answer. Default Fail. */
  failurePolicy?: FailurePolicy;
  /** Further namespaces whose requests are never sent (those whose pods must start during an outage). */
  excludedNamespaces?: readonly string[];
}

export interface RuleWithOperations {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope: 'Cluster' | 'Namespaced';
}

export interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  sideEffects: 'None';
  failurePolicy: FailurePolicy;
  timeoutSeconds: number;
  matchPolicy: 'Equivalent';
  reinvocationPolicy?: 'IfNeeded';
  clientConfig: { service: { namespace: string; name: string; path: string; port: number }; caBundle?: string };
  namespaceSelector: { matchExpressions: { key: string; operator: 'NotIn'; values: string[] }[] };
  objectSelector: Record<string, never>;
  matchConditions: MatchCondition[];
  rules: RuleWithOperations[];
}

export interface WebhookConfiguration {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  metadata: { name: string; labels: Record<string, string> };
  webhooks: [Webhook];
}

export const CONFIGURATION_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'policygate',
  'app.kubernetes.io/part-of': 'policygate',
  'app.kubernetes.io/managed-by': 'policygate',
};

/** A CEL list of strings. */
function celList(values: Iterable<string>): string {
  return `[${[...values].map((value) => `'${value}'`).join(', ')}]`;
}

/** The metadata fields and top-level fields an update of a terminating object may change and still only let it go. */
const RELEASED_METADATA = celList(RELEASE_METADATA_FIELDS);
const RELEASED_FIELDS = celList(RELEASE_FIELDS);

/**
 * What the validating webhook's rules match but the API server keeps to itself, decided in CEL before
 * any call. policygate decides each the same again (src/admission), so `policygate review` answers
 * these requests as the cluster does; test/webhooks/match-conditions.test.ts evaluates them in CEL.
 */
const VALIDATING_MATCH_CONDITIONS: readonly MatchCondition[] = [
  // Pod subresources that never change a pod (Pod Security Admission's own list of ignored ones): the
  // kubelet's status updates and the scheduler's bindings must never wait for policygate.
  {
    name: 'not-an-ignored-pod-subresource',
    expression: `!(request.resource.group == '' && request.resource.resource == 'pods' && request.subResource in ${celList(IGNORED_POD_SUBRESOURCES)})`,
  },
  // A Namespace's status and finalize subresources: sent only when its labels change, as they can
  // there; the namespace controller's own updates while a namespace terminates are not.
  {
    name: 'namespace-subresource-changes-labels',
    expression:
      "!(request.resource.group == '' && request.resource.resource == 'namespaces' && request.subResource != '') || " +
      '(has(object.metadata.labels) ? object.metadata.labels : {}) != (has(oldObject.metadata.labels) ? oldObject.metadata.labels : {})',
  },
  // An object being deleted stays in force until its last finalizer goes, so changing it is judged; but
  // an update that only lets it go (finalizers, owner references, what the API server keeps, status) is
  // not sent: a deletion never waits for policygate, nor is refused because the object was admitted
  // before the rules were enforced. src/admission/terminating.ts says why each field may change.
  {
    name: 'not-only-letting-a-deleted-object-go',
    expression:
      "!(request.operation == 'UPDATE' && has(oldObject.metadata.deletionTimestamp) && " +
      `object.all(k, k in ${RELEASED_FIELDS} || (k in oldObject && object[k] == oldObject[k])) && ` +
      `oldObject.all(k, k in ${RELEASED_FIELDS} || k in object) && ` +
      `object.metadata.all(k, k in ${RELEASED_METADATA} || (k in oldObject.metadata && object.metadata[k] == oldObject.metadata[k])) && ` +
      `oldObject.metadata.all(k, k in ${RELEASED_METADATA} || k in object.metadata))`,
  },
];
/** A default is never added to an object being deleted. */
const MUTATING_MATCH_CONDITIONS: readonly MatchCondition[] = [{ name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' }];

interface MatchCondition {
  name: string;
  expression: string;
}

/** The REST resource of each kind a rule or mutation applies to; a kind without one is a bug (a test lists them). */
function resourceOf(kind: ResourceKind): AuditedResource {
  const found = AUDITED_RESOURCES.find((candidate) => candidate.group === kind.group && candidate.kind === kind.kind);
  if (!found) throw new Error(`no REST resource is known for ${formatKind(kind)}: add it to src/audit/resources.ts`);
  return found;
}

function uniqueKinds(kinds: readonly ResourceKind[]): ResourceKind[] {
  const seen = new Set<string>();
  return kinds.filter((kind) => {
    const key = formatKind(kind);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Matched {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  operations: readonly string[];
}

/**
 * One rule per API group, version, operations and scope, with its resources in the order given:
 * the shape a person would write, and the same every time.
 */
function groupedRules(matched: readonly Matched[]): RuleWithOperations[] {
  const rules = new Map<string, RuleWithOperations>();
  for (const entry of matched) {
    const scope = entry.namespaced ? 'Namespaced' : 'Cluster';
    const key = JSON.stringify([entry.group, entry.version, entry.operations, scope]);
    const rule = rules.get(key) ?? { apiGroups: [entry.group], apiVersions: [entry.version], operations: [...entry.operations], resources: [], scope };
    if (!rule.resources.includes(entry.resource)) rule.resources.push(entry.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}

const CREATE_AND_UPDATE = ['CREATE', 'UPDATE'] as const;

/**
 * What the mutating webhook is sent. A Pod's spec is immutable once created: a pod is defaulted on
 * CREATE, and afterwards only the ephemeral containers `kubectl debug` adds (a subresource).
 */
function mutatedOperations(resource: AuditedResource): readonly string[] {
  return resource.group === '' && resource.resource === 'pods' ? ['CREATE'] : CREATE_AND_UPDATE;
}

function subresourcesFor(webhook: Subresource['webhooks'][number]): Matched[] {
  return JUDGED_SUBRESOURCES.filter((subresource) => subresource.webhooks.includes(webhook)).map((subresource) => ({
    group: subresource.group,
    version: subresource.version,
    resource: subresource.resource,
    namespaced: subresource.namespaced,
    operations: subresource.operations,
  }));
}

/** Validation: every kind a rule applies to, then the judged subresources. */
export function validatedRules(): RuleWithOperations[] {
  const kinds = uniqueKinds(RULES.flatMap((rule) => rule.meta.appliesTo)).map(resourceOf);
  return groupedRules([...kinds.map((resource) => ({ ...resource, operations: CREATE_AND_UPDATE })), ...subresourcesFor('validate')]);
}

/** Mutation: every kind a mutation applies to, then the subresources mutations fill in. */
export function mutatedRules(): RuleWithOperations[] {
  const kinds = uniqueKinds(MUTATIONS.flatMap((mutation) => mutation.appliesTo)).map(resourceOf);
  return groupedRules([...kinds.map((resource) => ({ ...resource, operations: mutatedOperations(resource) })), ...subresourcesFor('mutate')]);
}

function namespaceSelector(options: WebhookOptions): Webhook['namespaceSelector'] {
  // For a Namespace object the selector sees that namespace's own labels: the excluded namespaces are
  // excluded as objects too (their labels can change without policygate). policygate's own namespace
  // is among them, so policygate can always be restarted, scaled down or rolled back.
  const values = [...new Set([...ALWAYS_EXCLUDED_NAMESPACES, options.service.namespace, ...(options.excludedNamespaces ?? [])])];
  return { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values }] };
}

function clientConfig(options: WebhookOptions, path: string): Webhook['clientConfig'] {
  const service = { namespace: options.service.namespace, name: options.service.name, path, port: options.service.port ?? 443 };
  return options.caBundle === undefined ? { service } : { service, caBundle: Buffer.from(options.caBundle).toString('base64') };
}

/**
 * Sent to /validate: failurePolicy Fail unless asked otherwise. Enforcement is a security boundary:
 * with Ignore, anyone able to overload the webhook (or any outage) would switch it off without a trace.
 * Timeout 5 s, well under the API server's 10 s: a stuck call fails fast instead of holding the client.
 * A server-side dry run is judged exactly like the real request (policygate only reads it).
 */
export function validatingWebhookConfiguration(options: WebhookOptions): WebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: WEBHOOK_CONFIGURATION_NAME, labels: { ...CONFIGURATION_LABELS } },
    webhooks: [
      {
        name: VALIDATING_WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: options.failurePolicy ?? 'Fail',
        timeoutSeconds: 5,
        // Also judge requests made through another version of the same resource (e.g. a future apps/v2).
        matchPolicy: 'Equivalent',
        clientConfig: clientConfig(options, '/validate'),
        namespaceSelector: namespaceSelector(options),
        objectSelector: {},
        matchConditions: VALIDATING_MATCH_CONDITIONS.map((condition) => ({ ...condition })),
        rules: validatedRules(),
      },
    ],
  };
}

/**
 * Sent to /mutate: failurePolicy Ignore. Defaults are a convenience, not a guarantee: when no
 * policygate pod answers, the object is admitted unchanged and then judged by the validating webhook,
 * so skipping a default can never let through what enforcement would refuse. Mutating webhooks run one
 * after another before validation (3 s timeout), and are called again when a later one (a sidecar
 * injector) adds containers; policygate's mutations are idempotent.
 */
export function mutatingWebhookConfiguration(options: WebhookOptions): WebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK_CONFIGURATION_NAME, labels: { ...CONFIGURATION_LABELS } },
    webhooks: [
      {
        name: MUTATING_WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Ignore',
        timeoutSeconds: 3,
        matchPolicy: 'Equivalent',
        reinvocationPolicy: 'IfNeeded',
        clientConfig: clientConfig(options, '/mutate'),
        namespaceSelector: namespaceSelector(options),
        objectSelector: {},
        matchConditions: MUTATING_MATCH_CONDITIONS.map((condition) => ({ ...condition })),
        rules: mutatedRules(),
      },
    ],
  };
}

export function webhookConfigurations(options: WebhookOptions): [WebhookConfiguration, WebhookConfiguration] {
  return [validatingWebhookConfiguration(options), mutatingWebhookConfiguration(options)];
}
