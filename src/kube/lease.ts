// Leader election over a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it, so that
// of several replicas only one runs the periodic audit.
//
// - Every `retryPeriodMs` each replica reads the Lease. One that holds it renews it (PUT with the
//   resourceVersion it read: optimistic concurrency, so two writers cannot both win).
// - A replica takes the Lease when nobody holds it (`holderIdentity` empty: released) or when the
//   holder has not renewed it for `leaseDurationSeconds`, measured on this replica's own clock from
//   when it last saw the Lease change: the clocks of two nodes never need to agree.
// - The holder stops leading when it has not renewed for `renewDeadlineMs` (shorter than the lease),
//   so it has stepped down before anyone else can take over; a 409 Conflict means someone already has.
// - On shutdown the holder releases the Lease (clears `holderIdentity`): the next replica takes over
//   at its next attempt instead of waiting for the lease to expire.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { apiStatusOf, describeApiError } from './api-error.js';
import type { KubeJsonClient } from './json-client.js';

/** Who leads, and word when that changes: what the periodic audit needs of an elector. */
export interface Leadership {
  isLeader(): boolean;
  /** Called with true on becoming the leader, false on ceasing to be. Returns a function that unsubscribes. */
  onChange(listener: (leader: boolean) => void): () => void;
}

export interface LeaderElectorOptions {
  client: KubeJsonClient;
  namespace: string;
  name: string;
  /** This replica's `holderIdentity`: unique per process (see `leaderIdentity`). */
  identity: string;
  logger: Logger;
  /** How long a Lease nobody renews stays held. Default 15 s. */
  leaseDurationSeconds?: number;
  /** The holder steps down after failing to renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to take or renew the Lease. Default 5 s (waiting replicas add up to 20 % jitter). */
  retryPeriodMs?: number;
  /** Monotonic milliseconds (tests). */
  now?: () => number;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number | null;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number | null;
    [key: string]: unknown;
  };
}

/** `holderIdentity`: the pod's name (POD_NAME, else the hostname, which is the pod's name in a pod) and a random suffix. */
export function leaderIdentity(env: NodeJS.ProcessEnv): string {
  const pod = env.POD_NAME !== undefined && env.POD_NAME !== '' ? env.POD_NAME : hostname();
  return `${pod}_${randomBytes(4).toString('hex')}`;
}

/** A Lease's MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector implements Leadership {
  private readonly path: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private leader = false;
  /** What this replica last saw of the Lease, and when (its own clock) it last saw it change. */
  private observed: { key: string; at: number } | undefined;
  /** The Lease as this replica last wrote it while leading (for renewing and releasing). */
  private held: LeaseObject | undefined;
  private lastRenewAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
    this.leaseDurationMs = (options.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 5_000;
    this.now = options.now ?? (() => performance.now());
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('the renew deadline must be shorter than the lease duration');
  }

  get identity(): string {
    return this.options.identity;
  }

  /** `namespace/name` of the Lease. */
  get lease(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts trying to take the Lease, at once and then every retry period. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    this.loop();
    return this;
  }

  private loop(): void {
    if (this.stopped) return;
    this.attempt = this.tryAcquireOrRenew().finally(() => {
      this.attempt = undefined;
      if (this.stopped) return;
      const jitter = this.leader ? 0 : Math.random() * 0.2 * this.retryPeriodMs;
      this.timer = setTimeout(() => this.loop(), this.retryPeriodMs + jitter);
      this.timer.unref();
    });
  }

  /** One attempt: read the Lease, then create, take or renew it if this replica may. Never throws. */
  private async tryAcquireOrRenew(): Promise<void> {
    try {
      const lease = await this.read();
      if (this.stopped) return;
      if (!lease) {
        await this.write('POST', this.path, this.leaseFor(undefined));
        return;
      }
      const holder = lease.spec?.holderIdentity ?? '';
      const key = JSON.stringify([lease.metadata?.resourceVersion, holder, lease.spec?.renewTime]);
      if (this.observed?.key !== key) this.observed = { key, at: this.now() };
      const mine = holder === this.options.identity;
      const expired = this.now() - this.observed.at >= (lease.spec?.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
      if (!mine && holder !== '' && !expired) {
        if (this.leader) this.setLeader(false, `the Lease is held by ${holder}`);
        return;
      }
      await this.write('PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, this.leaseFor(lease));
    } catch (error) {
      if (this.stopped) return;
      if (apiStatusOf(error) === 409) {
        // Someone else wrote the Lease first: they lead.
        if (this.leader) this.setLeader(false, 'another replica took the Lease');
        return;
      }
      if (this.leader && this.now() - this.lastRenewAt >= this.renewDeadlineMs) {
        this.setLeader(false, `could not renew the Lease for ${Math.round((this.now() - this.lastRenewAt) / 1000)} s: ${describeApiError(error)}`);
      } else {
        this.options.logger.warn({ lease: this.lease, reason: describeApiError(error) }, 'leader election: cannot read or write the Lease; trying again');
      }
    }
  }

  private async read(): Promise<LeaseObject | undefined> {
    try {
      return (await this.options.client.request('GET', `${this.path}/${encodeURIComponent(this.options.name)}`)) as LeaseObject;
    } catch (error) {
      if (apiStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The Lease as this replica holding it: new, taken over, or renewed. */
  private leaseFor(current: LeaseObject | undefined): LeaseObject {
    const now = microTime(new Date());
    const spec = current?.spec ?? {};
    const renewing = spec.holderIdentity === this.options.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(current?.metadata ?? {}), name: this.options.name, namespace: this.options.namespace },
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: this.leaseDurationMs / 1000,
        acquireTime: renewing && spec.acquireTime ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing || current === undefined ? 0 : 1),
      },
    };
  }

  private async write(method: 'POST' | 'PUT', path: string, lease: LeaseObject): Promise<void> {
    const written = (await this.options.client.request(method, path, { body: lease })) as LeaseObject;
    // Kept even when stopped meanwhile: stop() then gives the Lease straight back.
    this.held = written;
    this.lastRenewAt = this.now();
    this.observed = { key: JSON.stringify([written.metadata?.resourceVersion, written.spec?.holderIdentity ?? '', written.spec?.renewTime]), at: this.now() };
    if (!this.leader && !this.stopped) this.setLeader(true, method === 'POST' ? 'created the Lease' : 'took the Lease');
  }

  private setLeader(leader: boolean, reason: string): void {
    if (this.leader === leader) return;
    this.leader = leader;
    if (!leader) this.held = undefined;
    this.options.logger.info({ lease: this.lease, identity: this.options.identity, reason }, leader ? 'became the leader' : 'stopped being the leader');
    for (const listener of this.listeners) listener(leader);
  }

  /** Stops trying; when leading, releases the Lease (clears its holder) so another replica takes over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    const held = this.held;
    if (!held || held.spec?.holderIdentity !== this.options.identity) return;
    try {
      const now = microTime(new Date());
      await this.options.client.request('PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {
        body: { ...held, spec: { ...held.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
        timeoutMs: 2_000,
      });
      this.setLeader(false, 'released the Lease on shutdown');
    } catch (error) {
      this.setLeader(false, `shut down; could not release the Lease (${describeApiError(error)}); it expires in ${this.leaseDurationMs / 1000} s`);
    }
  }
}
