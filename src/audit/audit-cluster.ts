// `auditCluster`: list, then the same evaluate. Namespaces first (their labels are the context of every
// object in them), then every other audited kind, page by page, each object judged as it arrives and
// folded into the collector's bounded state (collect.ts).
// The CLI's `policygate audit` and the server's periodic audit both call this with their lister.
import { InputError } from '../errors.js';
import { apiStatusOf, describeApiError } from '../kube/api-error.js';
import type { PolicyConfig } from '../rules/types.js';
import { AuditCollector } from './collect.js';
import { isOwnerKind } from './owners.js';
import type { AuditReport } from './report.js';
import { AUDITED_RESOURCES, NAMESPACES, apiVersionOf, collectionPath, resourceName, type AuditedResource } from './resources.js';
import { listAll, type ClusterLister } from './scan.js';

export interface AuditProgress {
  /** `pods`, `deployments.apps`. */
  resource: string;
  /** Objects of this kind listed so far. */
  listed: number;
  /** The server's estimate of those still to come, when it gives one. */
  remaining: number | undefined;
  /** Objects of every kind listed so far. */
  total: number;
}

export interface AuditClusterOptions {
  /** Audit only this namespace (the Namespace is read, not listed). */
  namespace?: string | undefined;
  /** Objects per page. Default 500. */
  pageSize?: number;
  /** Restarts allowed per kind after an expired continue token. Default 3. */
  maxRestarts?: number;
  onProgress?: (progress: AuditProgress) => void;
  /** Milliseconds, for the elapsed time. Default performance.now. */
  now?: () => number;
  /** The instant exceptions' expiry is judged at, in milliseconds since the epoch. Default: when the audit starts. */
  at?: number;
}

export async function auditCluster(lister: ClusterLister, config: PolicyConfig, options: AuditClusterOptions = {}): Promise<AuditReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const collector = new AuditCollector(config, { source: lister.source, namespace: options.namespace, at: options.at ?? Date.now() });

  /** Lists one kind into the collector; a restart forgets what the kind had listed. */
  const list = (resource: AuditedResource) =>
    listAll(
      lister,
      resource,
      {
        page(items, progress) {
          for (const item of items) collector.add(item);
          options.onProgress?.({ resource: resourceName(resource), ...progress, total: collector.listedCount });
        },
        restart(note) {
          collector.discard(apiVersionOf(resource), resource.kind);
          collector.addNote(note);
        },
      },
      { namespace: options.namespace, pageSize: options.pageSize, maxRestarts: options.maxRestarts },
    );

  // Namespaces: without them no pod can be judged as the webhook would, so failing here ends the audit.
  if (options.namespace !== undefined) {
    let namespace;
    try {
      namespace = await lister.readNamespace(options.namespace);
    } catch (error) {
      throw new InputError(`cannot read namespace ${JSON.stringify(options.namespace)} from ${lister.source}: ${describeApiError(error)}`);
    }
    if (!namespace) throw new InputError(`namespace ${JSON.stringify(options.namespace)} not found on ${lister.source}`);
    collector.add(namespace);
  } else {
    try {
      await list(NAMESPACES);
    } catch (error) {
      throw new InputError(`cannot list namespaces from ${lister.source}: ${describeApiError(error)}`);
    }
  }

  // From the last kind that owns others on, every object is folded into its owner's line as it is judged.
  const lastOwnerKind = AUDITED_RESOURCES.findLastIndex((resource) => isOwnerKind(resource.kind));
  for (const [index, resource] of AUDITED_RESOURCES.entries()) {
    // Auditing one namespace: cluster-wide policies are not in it.
    if (resource !== NAMESPACES && (options.namespace === undefined || resource.namespaced)) {
      try {
        await list(resource);
      } catch (error) {
        collector.discard(apiVersionOf(resource), resource.kind);
        // A custom resource the cluster does not serve (Cilium, Calico or sig-network policies absent) is no error.
        // One kind that cannot be listed (RBAC, an API the cluster does not serve) does not hide the others.
        if (!(resource.optional && apiStatusOf(error) === 404)) {
          collector.addError({ file: collectionPath(resource, options.namespace), message: `cannot list ${resourceName(resource)}: ${describeApiError(error)}` });
        }
      }
    }
    if (index === lastOwnerKind) collector.settleOwners();
  }
  return collector.finish(now() - started);
}
