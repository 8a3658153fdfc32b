// Requests to the API server with client-node's authentication: `applyToHTTPSOptions` gives the
// kubeconfig's credentials (tokens, exec plugins, client certificates), its TLS settings and its agent
// (a proxy's too), and Node's own http client sends the request (https-request.ts). Not client-node's
// typed models (they rename fields and drop the ones newer than the model), and not its fetch-based
// HTTP library: reading a 1.5 MB list page through fetch's web streams cost as much CPU as judging the
// page did. Every call policygate makes to the API server goes through here, except the Namespace watch
// (client-node's informer).
import type { KubeConfig } from '@kubernetes/client-node';
import type https from 'node:https';
import { credentialsOf, sendRequest, type RequestCredentials } from './https-request.js';
import { jsonClient, type KubeJsonClient, type KubeTransport } from './json-client.js';

export interface KubeconfigTransport extends KubeTransport {
  /**
   * The credentials of the next request, for another thread to send it with (the audit's worker);
   * undefined when the cluster is reached through a proxy, whose agent only this thread has.
   */
  credentials(): Promise<RequestCredentials | undefined>;
}

/** The transport of the kubeconfig's current cluster. */
export function kubeTransport(kubeConfig: KubeConfig): KubeconfigTransport {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const filled = async () => {
    const options: https.RequestOptions = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(options);
    return options;
  };
  return {
    server,
    async send(request) {
      const options = await filled();
      return sendRequest(server, request, credentialsOf(options), options.agent instanceof Object ? (options.agent as https.Agent) : undefined);
    },
    async credentials() {
      if (cluster.proxyUrl) return undefined;
      return credentialsOf(await filled());
    },
  };
}

/** A JSON client for the kubeconfig's current cluster. Requests give up after `timeoutMs` (default 10 s). */
export function kubeJsonClient(kubeConfig: KubeConfig, defaults: { timeoutMs?: number } = {}): KubeJsonClient {
  return jsonClient(kubeTransport(kubeConfig), defaults);
}
