// The context `network-isolation` judges a request in (RuleContext.cluster), gathered before the rules
// run so that they stay pure and synchronous: every namespace and the policies of the object's
// namespace, from the webhook's caches or the offline checker's input. Only for the objects the rule
// judges with context (a network policy; a Namespace where the source sees whole namespaces), and only
// when the rule is on for them. What cannot be had is "not known": the checks that need it find nothing.
import { isKind, matchesAny, NAMESPACE_KIND } from '../rules/kinds.js';
import { isExemptNamespace } from '../rules/modes.js';
import { POLICY_KINDS } from '../rules/network-policy/index.js';
import type { ClusterContext, ContextPolicy, KubeObject, NamespaceList, PolicyConfig } from '../rules/types.js';
import type { NetworkContextSource } from './types.js';

type MaybePromise<T> = T | Promise<T>;

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** The answer, or undefined when the question throws or rejects. */
function settled<T>(ask: () => MaybePromise<T | undefined>): MaybePromise<T | undefined> {
  let answer: MaybePromise<T | undefined>;
  try {
    answer = ask();
  } catch {
    return undefined;
  }
  return isPromise(answer) ? answer.catch(() => undefined) : answer;
}

/** Which namespace's policies the rule will ask for, or undefined when the object needs no context. */
function namespaceToAsk(object: KubeObject, requestNamespace: string | undefined, config: PolicyConfig, network: NetworkContextSource): { namespace: string | undefined } | undefined {
  const rule = config.rules['network-isolation'];
  if (rule.mode === 'off') return undefined;
  if (isKind(object, NAMESPACE_KIND)) {
    const name = object.metadata?.name;
    if (network.source === 'admission' || typeof name !== 'string' || name === '' || isExemptNamespace(rule, name)) return undefined;
    return { namespace: name };
  }
  if (!matchesAny(object, POLICY_KINDS)) return undefined;
  const namespace = requestNamespace || object.metadata?.namespace || undefined;
  if (isExemptNamespace(rule, namespace)) return undefined;
  return { namespace };
}

function contextOf(network: NetworkContextSource, namespace: string | undefined, namespaces: NamespaceList | undefined, policies: readonly ContextPolicy[] | undefined): ClusterContext {
  return {
    source: network.source,
    namespaces: () => namespaces,
    policies: (asked) => (asked === namespace ? policies : undefined),
  };
}

/** The rule's context for this object; a promise only while something must be read. */
export function networkContextFor(object: KubeObject, requestNamespace: string | undefined, config: PolicyConfig, network: NetworkContextSource | undefined): MaybePromise<ClusterContext | undefined> {
  if (!network) return undefined;
  const asked = namespaceToAsk(object, requestNamespace, config, network);
  if (!asked) return undefined;
  const { namespace } = asked;
  const namespaces = isKind(object, NAMESPACE_KIND) ? undefined : settled(() => network.namespaces());
  const policies = namespace === undefined ? undefined : settled(() => network.policies(namespace));
  if (!isPromise(namespaces) && !isPromise(policies)) return contextOf(network, namespace, namespaces, policies);
  return Promise.all([namespaces, policies]).then(([foundNamespaces, foundPolicies]) => contextOf(network, namespace, foundNamespaces, foundPolicies));
}
