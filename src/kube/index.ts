// The cluster edge: where the API server is, and the namespaces pods live in.
export { loadClusterConfig, SERVICE_ACCOUNT_DIR, type ClusterConfig, type ClusterConfigOptions } from './kubeconfig.js';
export { NamespaceCache, NamespaceLookupFailure, describeApiError, type NamespaceCacheOptions } from './namespace-cache.js';
