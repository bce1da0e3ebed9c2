/**
 * The kubelet's two heartbeats for every simulated node, driven by one timer: the node Lease in
 * kube-node-lease renewed every quarter of its duration, and the node status checked every 10 s (or
 * each renewal, when that is more often) and posted when it differs from a healthy kubelet's or when
 * the report period (5 min) has passed. Nodes are spread over the interval and requests go through a
 * concurrency limiter, so 5,000 nodes make an even trickle of writes, not bursts.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { LEASES, microTime } from '../../client/leader-election.js';
import type { Lease, Node } from '../../client/objects.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../util/backoff.js';
import { ConcurrencyLimiter } from '../../util/limiter.js';
import type { Logger } from '../../util/log.js';
import { conditionsNeedUpdate, kubeletConditions, staticNodeStatus } from './node-template.js';
import { HEARTBEAT_ANNOTATION } from './options.js';
import type { SimulatedNodeOptions } from './options.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's nodeStatusUpdateFrequency: how often it compares its status with the API's. */
const STATUS_CHECK_MS = 10_000;

interface Beat {
  name: string;
  index: number;
  lease?: Lease;
  nextLeaseAt: number;
  nextStatusAt: number;
  lastReportAt: number;
  busy: boolean;
}

export function heartbeatStopped(node: Node | undefined): boolean {
  return node?.metadata.annotations?.[HEARTBEAT_ANNOTATION] === 'stopped';
}

export class NodeHeartbeats {
  private readonly beats = new Map<string, Beat>();
  private readonly limiter: ConcurrencyLimiter;
  private readonly renewMs: number;
  private readonly statusCheckMs: number;
  private readonly tickMs: number;

  constructor(
    private readonly client: RestClient,
    private readonly nodes: Informer<Node>,
    private readonly opts: SimulatedNodeOptions,
    private readonly log: Logger,
  ) {
    this.limiter = new ConcurrencyLimiter(opts.concurrency);
    this.renewMs = (opts.leaseDurationSeconds * 1000) / 4;
    this.statusCheckMs = Math.min(STATUS_CHECK_MS, this.renewMs);
    this.tickMs = Math.min(1000, this.renewMs / 4);
  }

  /** Starts heartbeating `name`: its first renewal at a random point of the interval, its lease at once. */
  add(name: string, index: number): void {
    const t = Date.now();
    this.beats.set(name, {
      name,
      index,
      nextLeaseAt: t,
      nextStatusAt: t + Math.random() * this.statusCheckMs,
      // Spread the periodic full reports too, as restarts of real kubelets would.
      lastReportAt: t - Math.random() * this.opts.statusReportMs * 0.5,
      busy: false,
    });
  }

  /** The node was deleted: a kubelet does not bring it back, and stops heartbeating it. */
  forget(name: string): void {
    this.beats.delete(name);
  }

  /** Something changed (the heartbeat annotation, say): renew and check the status at the next tick. */
  poke(name: string): void {
    const b = this.beats.get(name);
    if (!b) return;
    b.nextLeaseAt = 0;
    b.nextStatusAt = 0;
  }

  async run(signal: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (!signal.aborted) {
      const t = Date.now();
      for (const b of this.beats.values()) {
        if (b.busy || (b.nextLeaseAt > t && b.nextStatusAt > t)) continue;
        b.busy = true;
        const p = this.limiter
          .run(() => this.beat(b, t))
          .catch((err: unknown) => this.log.warn('heartbeat failed', { node: b.name, err }))
          .finally(() => {
            b.busy = false;
            inFlight.delete(p);
          });
        inFlight.add(p);
      }
      await sleep(this.tickMs, signal);
    }
    await Promise.all(inFlight);
  }

  private async beat(b: Beat, t: number): Promise<void> {
    const node = this.nodes.get(undefined, b.name);
    if (heartbeatStopped(node)) {
      b.nextLeaseAt = t + this.renewMs;
      b.nextStatusAt = t + this.statusCheckMs;
      return;
    }
    if (b.nextLeaseAt <= t) {
      b.nextLeaseAt = t + this.renewMs;
      await this.renewLease(b, node);
    }
    if (b.nextStatusAt <= t && node) {
      b.nextStatusAt = t + this.statusCheckMs;
      const conditions = node.status?.conditions ?? [];
      if (conditionsNeedUpdate(conditions) || t - b.lastReportAt >= this.opts.statusReportMs) {
        await this.client.patch(
          NODES,
          undefined,
          b.name,
          'strategic',
          {
            status: {
              ...staticNodeStatus(b.name, b.index, this.opts),
              conditions: kubeletConditions(now(), conditions),
            },
          },
          { subresource: 'status' },
        );
        b.lastReportAt = t;
        if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
          new EventRecorder(this.client, { component: 'kubelet', host: b.name }, this.log).event(
            node,
            'Normal',
            'NodeReady',
            `Node ${b.name} status is now: NodeReady`,
          );
      }
    }
  }

  /** Renews the lease from the copy last written (reading it, or creating it, the first time). */
  private async renewLease(b: Beat, node: Node | undefined): Promise<void> {
    try {
      if (!b.lease) {
        try {
          b.lease = await this.client.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, b.name);
        } catch (err) {
          if (!isStatusError(err, 'NotFound')) throw err;
          b.lease = await this.createLease(b.name, node);
          return;
        }
      }
      b.lease = await this.client.update<Lease>(LEASES, {
        ...b.lease,
        spec: {
          ...b.lease.spec,
          holderIdentity: b.name,
          leaseDurationSeconds: this.opts.leaseDurationSeconds,
          renewTime: microTime(),
        },
      });
    } catch (err) {
      // Someone else wrote it, or it was deleted: read it afresh next time.
      b.lease = undefined;
      if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'NotFound')) throw err;
    }
  }

  private createLease(name: string, node: Node | undefined): Promise<Lease> {
    return this.client.create<Lease>(LEASES, NODE_LEASE_NAMESPACE, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: NODE_LEASE_NAMESPACE,
        ...(node
          ? {
              ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }],
            }
          : {}),
      },
      spec: {
        holderIdentity: name,
        leaseDurationSeconds: this.opts.leaseDurationSeconds,
        renewTime: microTime(),
      },
    });
  }
}
