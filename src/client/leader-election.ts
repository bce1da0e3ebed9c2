/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: candidates try to take or
 * renew the lease every retry period; a lease whose holder has not renewed it for its duration (as seen
 * by this candidate's own clock, so clock skew does not matter) can be taken over. The leader that
 * cannot renew within the renew deadline stops leading. Only one holder is active at a time.
 */
import { isStatusError } from '../apimachinery/errors.js';
import type { StoredObject } from '../apimachinery/meta.js';
import { sleep } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import type { ResourceType, RestClient } from './rest.js';

export const LEASES: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
};

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = StoredObject & { spec?: LeaseSpec };

export interface LeaderElectionOptions {
  client: RestClient;
  namespace: string;
  name: string;
  /** This candidate, e.g. `hostname_uuid`. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: Logger;
  /** Called once leadership is won; the signal aborts when it is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns until `signal` aborts; leads whenever it holds the lease. Releases the lease on abort. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew().catch((err: unknown) => {
        this.opts.log?.warn('lease update failed', { lease: this.opts.name, err });
        return false;
      });
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) this.startLeading(signal);
      } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
        this.stopLeading('failed to renew the lease within the renew deadline');
      }
      await sleep(this.leading ? this.retryMs : this.retryMs * (1 + Math.random() * 0.2));
    }
    if (this.leading) {
      await this.release().catch(() => undefined);
      this.stopLeading('stopped');
    }
  }

  private leaderSignal: AbortController | undefined;

  private startLeading(outer: AbortSignal): void {
    this.leading = true;
    this.leaderSignal = new AbortController();
    outer.addEventListener('abort', () => this.leaderSignal?.abort(), { once: true });
    this.opts.log?.info('became leader', { lease: this.opts.name, identity: this.opts.identity });
    this.opts.onStartedLeading(this.leaderSignal.signal);
  }

  private stopLeading(why: string): void {
    this.leading = false;
    this.leaderSignal?.abort();
    this.leaderSignal = undefined;
    this.opts.log?.info('stopped leading', { lease: this.opts.name, reason: why });
    this.opts.onStoppedLeading?.();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.opts;
    const now = new Date();
    const spec = (prev?: LeaseSpec): LeaseSpec => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: prev?.holderIdentity === identity && prev.acquireTime ? prev.acquireTime : microTime(now),
      renewTime: microTime(now),
      // Any change of holder counts, including taking a released (empty) lease, as client-go does.
      leaseTransitions: prev ? (prev.leaseTransitions ?? 0) + (prev.holderIdentity !== identity ? 1 : 0) : 0,
    });
    let lease: Lease;
    try {
      lease = await client.get<Lease>(LEASES, namespace, name);
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      await client.create(LEASES, namespace, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: spec(),
      });
      this.observe(identity, microTime(now));
      return true;
    }
    const held = lease.spec ?? {};
    const holder = held.holderIdentity ?? '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== held.renewTime) {
      this.observe(holder, held.renewTime ?? '');
      if (holder && holder !== identity) this.opts.onNewLeader?.(holder);
    }
    const durationMs = (held.leaseDurationSeconds ?? Math.ceil(this.leaseMs / 1000)) * 1000;
    if (holder && holder !== identity && this.observed!.at + durationMs > Date.now()) return false;
    try {
      await client.update(LEASES, { ...lease, spec: spec(held) });
    } catch (err) {
      if (isStatusError(err, 'Conflict')) return false;
      throw err;
    }
    this.observe(identity, microTime(now));
    return true;
  }

  private observe(holder: string, renewTime: string): void {
    this.observed = { holder, renewTime, at: Date.now() };
  }

  /** Gives the lease up so another candidate can take it at once (client-go's ReleaseOnCancel). */
  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.opts;
    const lease = await client.get<Lease>(LEASES, namespace, name);
    if (lease.spec?.holderIdentity !== identity) return;
    await client.update(LEASES, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime() },
    });
  }
}
