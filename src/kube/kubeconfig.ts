// Where the cluster is: `--kubeconfig FILE`, else the KUBECONFIG variable, else the pod's service account
// (in-cluster). Nothing else: a developer's ~/.kube/config is not picked up behind their back, so
// `npm start` on a laptop runs without a cluster unless asked. `--no-cluster` turns all of it off.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors.js';

export interface ClusterConfig {
  kubeConfig: KubeConfig;
  /** For the log: `--kubeconfig /path`, `KUBECONFIG=/path`, `in-cluster service account`. */
  source: string;
  /** The API server's URL. */
  server: string;
}

export interface ClusterConfigOptions {
  kubeconfig?: string | undefined;
  noCluster?: boolean | undefined;
  env: NodeJS.ProcessEnv;
  /** Prefixed to the service account's mount path (tests put it in a temp dir). */
  pathPrefix?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function fromFiles(files: string[], label: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  for (const [index, file] of files.entries()) {
    const next = index === 0 ? kubeConfig : new KubeConfig();
    try {
      next.loadFromFile(file);
    } catch (error) {
      throw new InputError(`cannot load ${label} ${file}: ${(error as Error).message.split('\n', 1)[0]}`);
    }
    if (next !== kubeConfig) kubeConfig.mergeConfig(next);
  }
  return kubeConfig;
}

function complete(kubeConfig: KubeConfig, source: string): ClusterConfig {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new InputError(`${source}: no current context with a cluster`);
  return { kubeConfig, source, server: cluster.server };
}

/** The namespace this process runs in: POD_NAMESPACE, else the pod's service account's; undefined outside a pod. */
export function podNamespace(env: NodeJS.ProcessEnv, pathPrefix = ''): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const fromServiceAccount = readFileSync(`${pathPrefix}${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim();
    return fromServiceAccount === '' ? undefined : fromServiceAccount;
  } catch {
    return undefined;
  }
}

/** The cluster to watch Namespaces in, or undefined to run without one. */
export function loadClusterConfig(options: ClusterConfigOptions): ClusterConfig | undefined {
  if (options.noCluster) return undefined;
  if (options.kubeconfig !== undefined) {
    return complete(fromFiles([options.kubeconfig], '--kubeconfig'), `--kubeconfig ${options.kubeconfig}`);
  }
  const fromEnv = (options.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnv.length > 0) return complete(fromFiles(fromEnv, 'KUBECONFIG'), `KUBECONFIG=${fromEnv.join(delimiter)}`);
  const prefix = options.pathPrefix ?? '';
  if (options.env.KUBERNETES_SERVICE_HOST && existsSync(`${prefix}${SERVICE_ACCOUNT_DIR}/token`)) {
    // client-node reads KUBERNETES_SERVICE_HOST and _PORT from process.env itself.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster(prefix);
    return complete(kubeConfig, 'in-cluster service account');
  }
  return undefined;
}
