// policygate registers its own webhook configurations, and keeps them, once it is ready to answer
// (`serve --register-webhooks`): an install can then never put a fail-closed webhook in front of the
// cluster's writes before a replica is there to answer it. Every ready replica, every 30 s:
//
// - reads the CA bundle and serving certificate it serves from its mounted Secret (re-read each pass,
//   so a renewal or rotation is followed), and refuses to register a bundle that does not trust its
//   own certificate;
// - reads the ClusterRole that owns the configurations (policygate-webhook-configurations): the
//   configurations carry it as their owner, so deleting it, which uninstalling does, has the garbage
//   collector delete them too; while it is absent nothing is registered;
// - creates each configuration if it is missing (deleted by someone, or a first install), or updates
//   it where it differs from what this replica would register (./webhooks/drift.ts), with the CA bundle
//   chosen so that replicas on old and new certificates never take it from one another
//   (./webhooks/ca-bundle.ts).
//
// Replicas race harmlessly: a create that finds the object already there (409), or an update made
// against an old resourceVersion (409), is simply tried again at the next pass, which finds the other
// replica's write and, all being equal, leaves it. A replica never deletes a configuration: one replica
// shutting down (a rollout, a node drain) must not switch policy off for the others.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { bundleTrusts, caBundleToRegister } from '../webhooks/ca-bundle.js';
import {
  mutatingWebhookConfiguration,
  validatingWebhookConfiguration,
  WEBHOOK_CONFIGURATION_NAME,
  type WebhookConfiguration,
  type WebhookOptions,
} from '../webhooks/configurations.js';
import { differences, FOREIGN_CA_ANNOTATION, type DesiredConfiguration, type RegisteredConfiguration } from '../webhooks/drift.js';
import { apiStatusOf, describeApiError } from './api-error.js';
import type { KubeJsonClient } from './json-client.js';

/** The ClusterRole that grants policygate its rights on the configurations, and owns them. */
export const WEBHOOK_OWNER_CLUSTER_ROLE = 'policygate-webhook-configurations';

export type ConfigurationKind = 'validating' | 'mutating';
export type PassResult = 'created' | 'updated' | 'unchanged' | 'error';

export interface WebhookRegistrarOptions {
  client: KubeJsonClient;
  logger: Logger;
  /** The Service, failure policy and excluded namespaces; the CA bundle comes from `caBundleFile`. */
  webhooks: Omit<WebhookOptions, 'caBundle'>;
  /** The CA bundle (PEM) the API server is to trust: ca.crt of the mounted Secret. */
  caBundleFile: string;
  /** The serving certificate (PEM, leaf first): tls.crt of the mounted Secret. */
  servingCertificateFile: string;
  /** Default policygate-webhook-configurations. */
  ownerClusterRole?: string;
  /** Between passes. Default 30 s (each replica adds up to 10 % so that they do not all come at once). */
  intervalMs?: number;
  /** After a failed pass, the next comes after this, doubling up to `intervalMs`. Default 2 s. */
  retryMs?: number;
  /** Told of each configuration's outcome in each pass: for the metrics. */
  onResult?: (configuration: ConfigurationKind, result: PassResult) => void;
  now?: () => Date;
}

const PATHS: Record<ConfigurationKind, string> = {
  validating: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
  mutating: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
};
const BUILDERS: Record<ConfigurationKind, (options: WebhookOptions) => WebhookConfiguration> = {
  validating: validatingWebhookConfiguration,
  mutating: mutatingWebhookConfiguration,
};
const KINDS: Record<ConfigurationKind, string> = { validating: 'ValidatingWebhookConfiguration', mutating: 'MutatingWebhookConfiguration' };

/** A pass that cannot go on: logged once per distinct message, and tried again later. */
class NotRegistering extends Error {}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function decodeBundle(configuration: RegisteredConfiguration): string | undefined {
  const encoded = (configuration.webhooks?.[0]?.clientConfig as { caBundle?: unknown } | undefined)?.caBundle;
  return typeof encoded === 'string' && encoded !== '' ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}

export class WebhookRegistrar {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private started = false;
  private stopped = false;
  private retryDelayMs: number;
  /** The last problem logged, so that one that persists is logged once. */
  private lastProblem: string | undefined;
  private readonly ownerClusterRole: string;
  private readonly intervalMs: number;

  constructor(private readonly options: WebhookRegistrarOptions) {
    this.ownerClusterRole = options.ownerClusterRole ?? WEBHOOK_OWNER_CLUSTER_ROLE;
    this.intervalMs = options.intervalMs ?? 30_000;
    this.retryDelayMs = options.retryMs ?? 2_000;
  }

  /** Registers at once, then keeps the configurations every interval. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    this.loop();
    return this;
  }

  /** Stops keeping the configurations. They stay registered: other replicas answer them. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private loop(): void {
    if (this.stopped) return;
    const pass = this.reconcile();
    this.pass = pass;
    void pass.then((results) => {
      if (this.stopped) return;
      const failed = Object.values(results).includes('error');
      let delay: number;
      if (failed) {
        delay = this.retryDelayMs;
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.intervalMs);
      } else {
        delay = this.intervalMs * (1 + Math.random() * 0.1);
        this.retryDelayMs = this.options.retryMs ?? 2_000;
      }
      this.timer = setTimeout(() => this.loop(), delay);
      this.timer.unref();
    });
  }

  /** One pass over both configurations. Never throws. */
  async reconcile(): Promise<Record<ConfigurationKind, PassResult>> {
    let prepared: { mine: string; chain: string; owner: OwnerReference };
    try {
      prepared = await this.prepare();
    } catch (error) {
      this.problem(error);
      for (const kind of ['validating', 'mutating'] as const) this.options.onResult?.(kind, 'error');
      return { validating: 'error', mutating: 'error' };
    }
    const results = { validating: 'error', mutating: 'error' } as Record<ConfigurationKind, PassResult>;
    for (const kind of ['validating', 'mutating'] as const) {
      try {
        results[kind] = await this.keep(kind, prepared);
      } catch (error) {
        this.problem(error, kind);
        results[kind] = 'error';
      }
      this.options.onResult?.(kind, results[kind]);
    }
    if (!Object.values(results).includes('error') && this.lastProblem !== undefined) {
      this.lastProblem = undefined;
      this.options.logger.info('webhook configurations: registering works again');
    }
    return results;
  }

  private problem(error: unknown, kind?: ConfigurationKind): void {
    const reason = error instanceof NotRegistering ? error.message : describeApiError(error);
    const text = kind ? `${KINDS[kind]} ${WEBHOOK_CONFIGURATION_NAME}: ${reason}` : reason;
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.options.logger.warn({ reason: text }, 'webhook configurations: cannot register or keep them; trying again');
  }

  /** This replica's CA bundle and serving chain, checked against each other, and the owner's uid. */
  private async prepare(): Promise<{ mine: string; chain: string; owner: OwnerReference }> {
    const read = (file: string, what: string) =>
      readFile(file, 'utf8').catch((error: unknown) => {
        throw new NotRegistering(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      });
    const [mine, chain] = await Promise.all([read(this.options.caBundleFile, 'CA bundle'), read(this.options.servingCertificateFile, 'serving certificate')]);
    if (!bundleTrusts(mine, chain, this.now())) {
      throw new NotRegistering(
        `not registering: the CA bundle ${this.options.caBundleFile} does not trust the serving certificate ${this.options.servingCertificateFile}; the API server could not call this replica`,
      );
    }
    let role: { metadata?: { uid?: string } };
    try {
      role = (await this.options.client.request('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${encodeURIComponent(this.ownerClusterRole)}`)) as typeof role;
    } catch (error) {
      const status = apiStatusOf(error);
      if (status === 404) throw new NotRegistering(`not registering: the ClusterRole ${this.ownerClusterRole}, which owns the webhook configurations, does not exist (being uninstalled?)`);
      if (status === 403) throw new NotRegistering(`not registering: may not read the ClusterRole ${this.ownerClusterRole} (is deploy/base applied?): ${describeApiError(error)}`);
      throw error;
    }
    const uid = role.metadata?.uid;
    if (!uid) throw new NotRegistering(`the ClusterRole ${this.ownerClusterRole} came back without a uid`);
    return { mine, chain, owner: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: this.ownerClusterRole, uid } };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private desired(kind: ConfigurationKind, caBundle: string, owner: OwnerReference): WebhookConfiguration & DesiredConfiguration {
    const configuration = BUILDERS[kind]({ ...this.options.webhooks, caBundle });
    return { ...configuration, metadata: { ...configuration.metadata, ownerReferences: [owner] } };
  }

  private async keep(kind: ConfigurationKind, prepared: { mine: string; chain: string; owner: OwnerReference }): Promise<PassResult> {
    const path = `${PATHS[kind]}/${WEBHOOK_CONFIGURATION_NAME}`;
    let registered: RegisteredConfiguration | undefined;
    try {
      registered = (await this.options.client.request('GET', path)) as RegisteredConfiguration;
    } catch (error) {
      if (apiStatusOf(error) !== 404) throw error;
    }
    const { logger } = this.options;
    if (!registered) {
      const desired = this.desired(kind, prepared.mine, prepared.owner);
      try {
        await this.options.client.request('POST', PATHS[kind], { body: desired });
      } catch (error) {
        // Another replica created it first: the next pass compares.
        if (apiStatusOf(error) === 409) return 'unchanged';
        throw error;
      }
      logger.info({ kind: KINDS[kind], name: WEBHOOK_CONFIGURATION_NAME, service: `${this.options.webhooks.service.namespace}/${this.options.webhooks.service.name}` }, 'webhook configurations: registered');
      return 'created';
    }

    const { bundle, choice } = caBundleToRegister(decodeBundle(registered), prepared.mine, prepared.chain, this.now());
    const desired = this.desired(kind, bundle, prepared.owner);
    const changed = differences(registered, desired);
    if (changed.length === 0) return 'unchanged';
    const { [FOREIGN_CA_ANNOTATION]: _injected, ...annotations } = registered.metadata?.annotations ?? {};
    const owners = (registered.metadata?.ownerReferences ?? []).filter(
      (owner) => !((owner as Partial<OwnerReference>).kind === 'ClusterRole' && (owner as Partial<OwnerReference>).name === this.ownerClusterRole),
    );
    const body = {
      apiVersion: desired.apiVersion,
      kind: desired.kind,
      metadata: {
        ...registered.metadata,
        labels: { ...(registered.metadata?.labels ?? {}), ...desired.metadata.labels },
        annotations,
        ownerReferences: [...owners, prepared.owner],
      },
      webhooks: desired.webhooks,
    };
    try {
      await this.options.client.request('PUT', path, { body });
    } catch (error) {
      // Written by another replica (or person) since it was read: the next pass compares again.
      if (apiStatusOf(error) === 409) return 'unchanged';
      throw error;
    }
    logger.info({ kind: KINDS[kind], name: WEBHOOK_CONFIGURATION_NAME, changed, ...(changed.some((field) => field.endsWith('.clientConfig')) ? { caBundle: choice } : {}) }, 'webhook configurations: updated');
    return 'updated';
  }
}
