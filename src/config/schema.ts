// The configuration file's JSON Schema (ajv, strict: every object closed, every mode and level an
// enum, every check ID known), and the checks a schema cannot express: a pattern must compile, a
// label's default must itself be allowed, label keys must be unique and well formed. Every key is
// optional in a user's file (the embedded default fills the rest); the complete variant, with every
// key required, proves that the merged result is a whole PolicyConfig.
import type { SchemaObject } from 'ajv';
import { isRecord } from '../rules/is-record.js';
import { EXCEPTION_SCHEMA } from './exceptions.js';
import { labelPatternError, labelValuePattern } from '../rules/namespace-required-labels.js';
import { LEVELS } from '../rules/pod-security/level-version.js';
import { ruleById } from '../rules/registry.js';
import { DEFAULT_DENY_DIRECTIONS, MODES, type RuleId } from '../rules/types.js';

/** A problem found in a configuration document: where (path tokens from the root) and what was expected. */
export interface ConfigIssue {
  path: readonly (string | number)[];
  message: string;
}

const MODE = { enum: [...MODES] };
const LEVEL = { enum: [...LEVELS] };
const VERSION = { type: 'string', pattern: '^(latest|v1\\.(0|[1-9][0-9]*))$', description: '"latest" or "v1.N" (e.g. "v1.31")' };
const STRINGS = { type: 'array', items: { type: 'string', minLength: 1 } };
const SERVICE_ACCOUNTS = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$', description: '"namespace/name" of a service account' },
};

/** A NetworkPolicy's name: a DNS subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters). */
const OBJECT_NAME = {
  type: 'string',
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  description: 'a NetworkPolicy name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
};
/**
 * A NetworkPolicy spec: the keys are the API's, `podSelector` is required (as the API requires it); what
 * is inside each key is left to the API server, which the baseline's writes ask for strict field
 * validation, and to policygate's own network rules, which judge the policies when the file is loaded.
 */
const NETWORK_POLICY_SPEC = {
  type: 'object',
  properties: {
    podSelector: { type: 'object' },
    policyTypes: { type: 'array', items: { enum: ['Ingress', 'Egress'] }, uniqueItems: true },
    ingress: { type: 'array', items: { type: 'object' } },
    egress: { type: 'array', items: { type: 'object' } },
  },
  required: ['podSelector'],
  additionalProperties: false,
};

function closedObject(properties: Record<string, SchemaObject>, complete: boolean, required: readonly string[] = []): SchemaObject {
  return {
    type: 'object',
    properties,
    required: complete ? Object.keys(properties) : [...required],
    additionalProperties: false,
  };
}

/** `mode`, `checks` (keyed by the rule's own check IDs) and `exemptNamespaces`, shared by every rule. */
function ruleProperties(ruleId: RuleId): Record<string, SchemaObject> {
  return {
    mode: MODE,
    checks: closedObject(Object.fromEntries(ruleById(ruleId).meta.checks.map((check) => [check.id, MODE])), false),
    exemptNamespaces: STRINGS,
  };
}

export function configSchema({ complete }: { complete: boolean }): SchemaObject {
  const label = closedObject(
    {
      key: { type: 'string', minLength: 1 },
      values: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      pattern: { type: 'string', minLength: 1 },
      default: { type: 'string' },
    },
    false,
    ['key'],
  );
  const podSecurityDefaults = closedObject(
    Object.fromEntries(['enforce', 'warn', 'audit'].flatMap((mode) => [[mode, LEVEL], [`${mode}-version`, VERSION]])),
    complete,
  );
  return closedObject(
    {
      rules: closedObject(
        {
          'namespace-required-labels': closedObject(
            { ...ruleProperties('namespace-required-labels'), labels: { type: 'array', items: label } },
            complete,
          ),
          'network-isolation': closedObject(
            { ...ruleProperties('network-isolation'), systemNamespaces: STRINGS, defaultDenyDirection: { enum: [...DEFAULT_DENY_DIRECTIONS] } },
            complete,
          ),
          'network-policy-allow-all': closedObject(ruleProperties('network-policy-allow-all'), complete),
          'pod-security': closedObject(
            {
              ...ruleProperties('pod-security'),
              defaults: podSecurityDefaults,
              exemptions: closedObject({ usernames: STRINGS, runtimeClassNames: STRINGS, namespaces: STRINGS }, complete),
            },
            complete,
          ),
          'policy-label-guard': closedObject(
            {
              ...ruleProperties('policy-label-guard'),
              principals: closedObject({ users: STRINGS, groups: STRINGS, serviceAccounts: SERVICE_ACCOUNTS }, complete),
            },
            complete,
          ),
        },
        complete,
      ),
      mutations: closedObject({ namespaceLabelDefaults: { type: 'boolean' }, podSecurityContextDefaults: { type: 'boolean' } }, complete),
      networkBaseline: closedObject(
        {
          enabled: { type: 'boolean' },
          exemptNamespaces: STRINGS,
          recreateDeleted: { type: 'boolean' },
          policies: { type: 'array', items: closedObject({ name: OBJECT_NAME, spec: NETWORK_POLICY_SPEC }, false, ['name', 'spec']) },
        },
        complete,
      ),
      exceptions: { type: 'array', items: EXCEPTION_SCHEMA },
    },
    complete,
  );
}

// Kubernetes label syntax (k8s.io/apimachinery/pkg/util/validation): a value is at most 63 characters
// of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit; a key is such a name,
// optionally prefixed by a DNS subdomain and `/`.
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_NAME.test(value);
}

function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return isLabelValue(name);
}

const LABEL_KEY_EXPECTED =
  'a label key: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/"';
const LABEL_VALUE_EXPECTED = 'a label value: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';

/** The label fields as the schema has already typed them. */
interface LabelDocument {
  key: string;
  values?: string[];
  pattern?: string;
  default?: string;
}

function labelIssues(label: LabelDocument, path: readonly (string | number)[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (field: string | number, ...more: (string | number)[]) => [...path, field, ...more];
  if (!isLabelKey(label.key)) issues.push({ path: at('key'), message: `must be ${LABEL_KEY_EXPECTED} (got ${JSON.stringify(label.key)})` });
  label.values?.forEach((value, index) => {
    if (!isLabelValue(value)) issues.push({ path: at('values', index), message: `must be ${LABEL_VALUE_EXPECTED} (got ${JSON.stringify(value)})` });
  });
  if (label.values !== undefined && label.pattern !== undefined) {
    issues.push({ path: at('pattern'), message: 'must not be given together with values: give the allowed values or a pattern, not both' });
  }
  const invalidPattern = label.pattern === undefined ? undefined : labelPatternError(label.pattern);
  if (invalidPattern !== undefined) {
    issues.push({ path: at('pattern'), message: `must be a regular expression in RE2 syntax (got ${JSON.stringify(label.pattern)}: ${invalidPattern})` });
  }
  if (label.default !== undefined) {
    const value = label.default;
    const got = JSON.stringify(value);
    if (!isLabelValue(value)) issues.push({ path: at('default'), message: `must be ${LABEL_VALUE_EXPECTED} (got ${got})` });
    else if (label.values && !label.values.includes(value)) {
      issues.push({ path: at('default'), message: `must be one of the label's values ${label.values.join(', ')} (got ${got})` });
    } else if (label.pattern !== undefined && invalidPattern === undefined && !labelValuePattern(label.pattern).matches(value)) {
      issues.push({ path: at('default'), message: `must match the label's pattern ${JSON.stringify(label.pattern)} over the whole value (got ${got})` });
    }
  }
  return issues;
}

/** The label's fields that have the types the schema asks for; the schema reports the others. */
function typedLabel(value: unknown): LabelDocument | undefined {
  if (!isRecord(value) || typeof value.key !== 'string') return undefined;
  const label: LabelDocument = { key: value.key };
  if (Array.isArray(value.values) && value.values.every((entry) => typeof entry === 'string')) label.values = value.values as string[];
  if (typeof value.pattern === 'string') label.pattern = value.pattern;
  if (typeof value.default === 'string') label.default = value.default;
  return label;
}

/**
 * What the schema cannot say, in document order. Runs on the document as parsed, valid or not, so
 * that one pass reports every problem; it looks only at fields of the right type.
 */
export function semanticIssues(document: unknown): ConfigIssue[] {
  return [...labelListIssues(document), ...baselinePolicyNameIssues(document)];
}

/** Two baseline policies of one name would be one object in each namespace. */
function baselinePolicyNameIssues(document: unknown): ConfigIssue[] {
  const baseline = isRecord(document) ? document.networkBaseline : undefined;
  const policies = isRecord(baseline) ? baseline.policies : undefined;
  if (!Array.isArray(policies)) return [];
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<string, number>();
  policies.forEach((policy: unknown, index) => {
    if (!isRecord(policy) || typeof policy.name !== 'string') return;
    const first = firstIndex.get(policy.name);
    if (first === undefined) firstIndex.set(policy.name, index);
    else issues.push({ path: ['networkBaseline', 'policies', index, 'name'], message: `must be unique: ${JSON.stringify(policy.name)} is already policies[${first}]` });
  });
  return issues;
}

function labelListIssues(document: unknown): ConfigIssue[] {
  const rules = isRecord(document) ? document.rules : undefined;
  const rule = isRecord(rules) ? rules['namespace-required-labels'] : undefined;
  const labels = isRecord(rule) ? rule.labels : undefined;
  if (!Array.isArray(labels)) return [];
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<string, number>();
  labels.forEach((value: unknown, index) => {
    const label = typedLabel(value);
    if (!label) return;
    const path = ['rules', 'namespace-required-labels', 'labels', index];
    const first = firstIndex.get(label.key);
    if (first !== undefined) {
      issues.push({ path: [...path, 'key'], message: `must be unique: label ${JSON.stringify(label.key)} is already listed at labels[${first}]` });
    } else firstIndex.set(label.key, index);
    issues.push(...labelIssues(label, path));
  });
  return issues;
}
