// Mutation `namespace-label-defaults`: a Namespace created or updated without a required label that
// has a configured `default` gets that label, so teams need not repeat the obvious value (say
// `environment: dev`) and the validating rule passes. A label the user set, even to a blank or
// invalid value, is left alone: the rule reports it instead. Namespaces exempt from
// `namespace-required-labels` are not touched, and neither are subresource requests (status,
// finalize) nor a namespace being deleted.
import { isRecord } from '../is-record.js';
import { jsonPointer } from '../json-pointer.js';
import { isKind, NAMESPACE_KIND } from '../kinds.js';
import { isExemptNamespace } from '../modes.js';
import type { KubeObject, Mutation, NamespaceRequiredLabelsConfig, PatchOperation, RuleContext } from '../types.js';

function patchNamespace(object: KubeObject, context: RuleContext): PatchOperation[] {
  if (!isKind(object, NAMESPACE_KIND) || context.subResource) return [];
  const metadata: unknown = object.metadata;
  if (metadata !== undefined && !isRecord(metadata)) return [];
  if (metadata?.deletionTimestamp) return [];
  const ruleConfig = context.config.rules['namespace-required-labels'];
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  if (isExemptNamespace(ruleConfig, name)) return [];
  return labelDefaultsPatch(metadata, ruleConfig);
}

/**
 * The operations that add each absent required label that has a default to a Namespace's metadata
 * (undefined when the Namespace has none). `policygate fix` writes the same labels into the manifest.
 */
export function labelDefaultsPatch(metadata: Record<string, unknown> | undefined, ruleConfig: NamespaceRequiredLabelsConfig): PatchOperation[] {
  const labels: unknown = metadata?.labels;
  // Null is how an absent map can arrive from a manifest; anything else that is not a map is left for
  // the API server to refuse.
  if (labels !== undefined && labels !== null && !isRecord(labels)) return [];
  // Own keys only: `constructor` is a valid label key, and a plain object inherits one.
  const isSet = (key: string) => isRecord(labels) && Object.hasOwn(labels, key) && labels[key] !== undefined && labels[key] !== null;
  // The loader refuses a label key listed twice, so each key is added at most once.
  const missing: [key: string, value: string][] = [];
  for (const label of ruleConfig.labels) if (label.default !== undefined && !isSet(label.key)) missing.push([label.key, label.default]);
  if (missing.length === 0) return [];
  // `add` needs the parent to exist: create the map whole when there is none.
  if (metadata === undefined) return [{ op: 'add', path: '/metadata', value: { labels: Object.fromEntries(missing) } }];
  if (!isRecord(labels)) return [{ op: 'add', path: jsonPointer(['metadata', 'labels']), value: Object.fromEntries(missing) }];
  return missing.map(([key, value]) => ({ op: 'add', path: jsonPointer(['metadata', 'labels', key]), value }));
}

export const namespaceLabelDefaults: Mutation = {
  id: 'namespace-label-defaults',
  description: 'Adds each required Namespace label that is absent and has a configured default.',
  appliesTo: [NAMESPACE_KIND],
  enabled: (config) => config.mutations.namespaceLabelDefaults,
  patch: patchNamespace,
};
