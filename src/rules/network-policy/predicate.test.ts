import { describe, expect, it } from 'vitest';
import { labelSelectorPredicate } from './label-selector.js';
import { and, evaluate, inNamespace, isNamespaceName, not, or, selectsEveryPod, TRUE, UNKNOWN, type Predicate } from './predicate.js';
import { namespaceLabel, podLabel } from './read-kubernetes.js';

const namespaces = (selector: unknown) => labelSelectorPredicate(selector, namespaceLabel);
const pods = (selector: unknown) => labelSelectorPredicate(selector, podLabel);
const NAME_LABEL = 'kubernetes.io/metadata.name';

describe('selectsEveryPod: what Kubernetes guarantees about namespaces', () => {
  it.each<[string, Predicate[]]>([
    ['an empty selector', [namespaces({})]],
    ['kubernetes.io/metadata.name Exists', [namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'Exists' }] })]],
    ['NotIn a name no namespace can have', [namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: ['Not_A_Name'] }] })]],
    ['a label and its absence', [namespaces({ matchLabels: { team: 'a' } }), namespaces({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] })]],
    ['Exists or DoesNotExist', [pods({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }), pods({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] })]],
    ['kube-system and every other namespace', [inNamespace('kube-system'), namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: ['kube-system'] }] })]],
  ])('covers: %s', (_name, predicates) => {
    expect(selectsEveryPod(predicates)).toBe(true);
  });

  it.each<[string, Predicate[]]>([
    ['no selector', []],
    ['one namespace by name', [namespaces({ matchLabels: { [NAME_LABEL]: 'kube-system' } })]],
    ['NotIn a real namespace', [namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: ['kube-system'] }] })]],
    ['name DoesNotExist', [namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'DoesNotExist' }] })]],
    ['a label every namespace may lack', [namespaces({ matchExpressions: [{ key: 'team', operator: 'Exists' }] })]],
    ['the policy namespace', [inNamespace('shop')]],
    ['every namespace, but some pods', [and(namespaces({}), pods({ matchLabels: { app: 'web' } }))]],
    ['an unknown operator', [namespaces({ matchExpressions: [{ key: 'team', operator: 'Gt', values: ['1'] }] })]],
    ['unknown or its negation', [UNKNOWN, not(UNKNOWN)]],
  ])('does not cover: %s', (_name, predicates) => {
    expect(selectsEveryPod(predicates)).toBe(false);
  });

  it('evaluates in three values', () => {
    const assignment = new Map([['pod/app', 'web']]);
    expect(evaluate(or(UNKNOWN, TRUE), assignment)).toBe(true);
    expect(evaluate(and(UNKNOWN, TRUE), assignment)).toBeUndefined();
    expect(evaluate(pods({ matchLabels: { app: 'web' } }), assignment)).toBe(true);
    expect(evaluate(pods({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }), assignment)).toBe(true);
  });

  it('knows a namespace name from a label value that cannot be one', () => {
    expect(isNamespaceName('kube-system')).toBe(true);
    expect(isNamespaceName('Kube')).toBe(false);
    expect(isNamespaceName('a'.repeat(64))).toBe(false);
  });
});
