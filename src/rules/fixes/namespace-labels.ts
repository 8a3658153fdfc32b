// What `policygate fix` changes in a Namespace that misses required labels: each absent label that
// has a configured `default` is added, exactly as the webhook's namespace-label-defaults mutation
// adds it at admission. A label without a default, or one that is set but blank, needs a person to
// choose its value.
import { isRecord } from '../is-record.js';
import { isKind, NAMESPACE_KIND } from '../kinds.js';
import { labelDefaultsPatch } from '../mutations/namespace-label-defaults.js';
import type { KubeObject, PolicyConfig } from '../types.js';
import type { FixNote, FixPlan } from './plan.js';

export const NAMESPACE_LABEL_CHECKS = ['missing-label'] as const;

export function planNamespaceLabelsFix(object: KubeObject, failing: ReadonlySet<string>, config: PolicyConfig): FixPlan {
  if (!isKind(object, NAMESPACE_KIND) || !failing.has('missing-label')) return { operations: [], checks: [], notes: [] };
  const metadata: unknown = object.metadata;
  if (metadata !== undefined && !isRecord(metadata)) return { operations: [], checks: [], notes: [] };
  const ruleConfig = config.rules['namespace-required-labels'];
  const labels = isRecord(metadata?.labels) ? metadata.labels : {};
  const notes: FixNote[] = [];
  for (const label of ruleConfig.labels) {
    const value = Object.hasOwn(labels, label.key) ? labels[label.key] : undefined;
    const path = `metadata.labels[${JSON.stringify(label.key)}]`;
    if (value === undefined || value === null) {
      if (label.default === undefined) notes.push({ path, reason: 'no default is configured for this label (rules.namespace-required-labels.labels[].default): its value is a person\'s choice' });
    } else if (String(value).trim() === '') notes.push({ path, reason: 'set but blank: fix adds only absent labels' });
  }
  const operations = labelDefaultsPatch(metadata, ruleConfig);
  return { operations, checks: operations.length > 0 ? ['missing-label'] : [], notes };
}
