import { describe, expect, it } from 'vitest';
import { labelSelectorPredicate } from './label-selector.js';
import { and, evaluate, not, or, UNKNOWN, type Predicate } from './predicate.js';
import { namespaceLabel, podLabel } from './read-kubernetes.js';
import { namespaceAssignment, podAssignment, satisfiable } from './satisfy.js';

const namespaces = (selector: unknown) => labelSelectorPredicate(selector, namespaceLabel);
const pods = (selector: unknown) => labelSelectorPredicate(selector, podLabel);
const NAME_LABEL = 'kubernetes.io/metadata.name';

describe('satisfiable', () => {
  const monitoring = and(namespaces({ matchLabels: { purpose: 'monitoring' } }), pods({ matchLabels: { app: 'prometheus' } }));

  it('finds a pod in a namespace that carries the label', () => {
    expect(satisfiable(monitoring, namespaceAssignment(monitoring, 'monitoring', { purpose: 'monitoring' }))).toBe(true);
  });

  it('finds none in a namespace without it, whatever the pod', () => {
    expect(satisfiable(monitoring, namespaceAssignment(monitoring, 'monitoring', { [NAME_LABEL]: 'monitoring' }))).toBe(false);
  });

  it('decides names against those excluded', () => {
    const kubeSystem = namespaces({ matchLabels: { [NAME_LABEL]: 'kube-system' } });
    expect(satisfiable(kubeSystem)).toBe(true);
    expect(satisfiable(kubeSystem, new Map(), { excluded: new Map([['name', new Set(['kube-system'])]]) })).toBe(false);
    const notKubeSystem = namespaces({ matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: ['kube-system'] }] });
    expect(satisfiable(notKubeSystem, new Map(), { excluded: new Map([['name', new Set(['kube-system'])]]) })).toBe(true);
  });

  it('answers undefined when a test cannot be decided, never false', () => {
    const unknown: Predicate = and(namespaces({ matchLabels: { purpose: 'monitoring' } }), UNKNOWN);
    expect(satisfiable(unknown, namespaceAssignment(unknown, 'a', { purpose: 'monitoring' }))).toBeUndefined();
    expect(satisfiable(unknown, namespaceAssignment(unknown, 'a', {}))).toBe(false);
  });

  it('tells a pod one predicate selects and no other does', () => {
    const web = pods({ matchLabels: { app: 'web' } });
    const every = pods({});
    expect(satisfiable(and(every, not(or(web))))).toBe(true);
    expect(satisfiable(and(web, not(or(every))))).toBe(false);
    expect(satisfiable(and(web, not(or(pods({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] })))))).toBe(false);
  });

  it('gives up past its bound rather than stall', () => {
    const many = and(...Array.from({ length: 20 }, (_, index) => pods({ matchExpressions: [{ key: `k${index}`, operator: 'Exists' }] })));
    expect(satisfiable(many)).toBeUndefined();
  });

  it('assigns a pod its namespace and labels (for evaluate)', () => {
    const selector = and(namespaces({ matchLabels: { team: 'a' } }), pods({ matchLabels: { app: 'web' } }));
    expect(evaluate(selector, podAssignment('shop', { team: 'a' }, { app: 'web' }))).toBe(true);
    expect(evaluate(selector, podAssignment('shop', { team: 'a' }, { app: 'api' }))).toBe(false);
    // A label the pod does not carry is absent, not free.
    expect(evaluate(pods({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), podAssignment('shop', {}, { app: 'web' }))).toBe(false);
  });
});
