// The cluster edge: where the API server is, and the namespaces pods live in.
export { loadClusterConfig, podNamespace, SERVICE_ACCOUNT_DIR, type ClusterConfig, type ClusterConfigOptions } from './kubeconfig.js';
export { NamespaceCache, type NamespaceCacheOptions } from './namespace-cache.js';
export { NetworkPolicyCache, type NetworkPolicyCacheOptions } from './network-policy-cache.js';
export { clusterNetworkContext } from './network-context.js';
export { apiStatusOf, describeApiError, isTimeout, KubeApiError } from './api-error.js';
export { jsonClient, type KubeJsonClient, type KubeMethod, type KubeRequest, type KubeRequestOptions, type KubeResponse, type KubeTransport } from './json-client.js';
export { kubeJsonClient, kubeTransport } from './api-request.js';
export { LeaderElector, leaderIdentity, type Leadership, type LeaderElectorOptions } from './lease.js';
export { kubePodLister, type PodListerOptions } from './pod-lister.js';
export { PolicyLabelAccessReviews, subjectAccessReviewFor, type PolicyLabelAccessOptions } from './policy-label-access.js';
export { WebhookRegistrar, WEBHOOK_OWNER_CLUSTER_ROLE, type ConfigurationKind, type PassResult, type WebhookRegistrarOptions } from './webhook-registrar.js';
