/**
 * Zones and their health, as the node lifecycle controller judges them: nodes are grouped by region
 * and zone labels; a zone with no ready node is fully disrupted, one with more than two not-ready nodes
 * making at least --unhealthy-zone-threshold of it is partially disrupted. Each zone has a rate-limited
 * queue of nodes waiting for NoExecute taints, so a zone going down is tainted (and its pods evicted)
 * gradually, and not at all when every zone is down.
 */
import type { Node, NodeCondition } from '../../client/objects.js';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** region + ":\0:" + zone, as Kubernetes keys zones (empty for nodes without topology labels). */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** How many nodes of a zone are not ready, and the zone's state (ComputeZoneState). */
export function computeZoneState(
  readyConditions: (NodeCondition | undefined)[],
  unhealthyThreshold: number,
): { notReady: number; state: ZoneState } {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  const notReady = readyConditions.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold)
    return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/** A token bucket of `qps` with a burst of one; a rate of 0 accepts nothing. */
export class TokenBucket {
  private tokens = 1;
  private last = Date.now();

  constructor(private qps: number) {}

  get rate(): number {
    return this.qps;
  }

  setRate(qps: number): void {
    this.refill();
    this.qps = qps;
  }

  private refill(): void {
    const t = Date.now();
    this.tokens = Math.min(1, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The nodes of one zone waiting to be tainted (RateLimitedTimedQueue). A node stays known after it was
 * processed, so it is not queued again, until `remove` (it became ready, or its taint was taken off).
 */
export class ZoneTainter {
  private readonly waiting: { name: string; at: number }[] = [];
  private readonly known = new Set<string>();

  constructor(readonly limiter: TokenBucket) {}

  /** Queues `name`; false when it is queued or was processed already. */
  add(name: string): boolean {
    if (this.known.has(name)) return false;
    this.known.add(name);
    this.waiting.push({ name, at: 0 });
    return true;
  }

  remove(name: string): boolean {
    const i = this.waiting.findIndex((w) => w.name === name);
    if (i >= 0) this.waiting.splice(i, 1);
    return this.known.delete(name);
  }

  /**
   * Processes queued nodes while the rate limit allows: `fn` returns true when done, or a delay (ms)
   * after which the node should be tried again.
   */
  async try(fn: (name: string) => Promise<true | number>): Promise<void> {
    while (this.waiting.length) {
      const head = this.waiting[0]!;
      if (head.at > Date.now() || !this.limiter.tryAccept()) return;
      this.waiting.shift();
      const result = await fn(head.name).catch(() => 50);
      if (result !== true && this.known.has(head.name))
        this.waiting.push({ name: head.name, at: Date.now() + result });
    }
  }
}
