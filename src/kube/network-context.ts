// The webhook's context for network-isolation: every Namespace (the namespace cache, once it has
// listed them all) and the NetworkPolicies of a namespace (the NetworkPolicy cache, or a direct read
// before it has synced). What cannot be known yet is undefined, and the checks that need it find
// nothing; the first time, the log says so.
import type { Logger } from 'pino';
import type { NetworkContextSource } from '../admission/types.js';
import type { NamespaceList } from '../rules/types.js';
import type { NamespaceCache } from './namespace-cache.js';
import type { NetworkPolicyCache } from './network-policy-cache.js';

export function clusterNetworkContext(namespaces: Pick<NamespaceCache, 'all'>, policies: Pick<NetworkPolicyCache, 'policies'>, logger: Logger): NetworkContextSource {
  let list: NamespaceList | undefined;
  let listedFrom: readonly unknown[] | undefined;
  let toldNotListed = false;
  return {
    source: 'admission',
    namespaces() {
      const items = namespaces.all();
      if (!items) {
        if (!toldNotListed) {
          toldNotListed = true;
          logger.info('namespaces not listed yet: network-isolation judges namespace selectors once they are (selector-matches-nothing finds nothing until then)');
        }
        return undefined;
      }
      if (items !== listedFrom) {
        listedFrom = items;
        list = { items, complete: true };
      }
      return list;
    },
    policies: (namespace) => policies.policies(namespace),
  };
}
