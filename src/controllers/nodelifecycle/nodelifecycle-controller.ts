/**
 * The node lifecycle controller. Every --node-monitor-period it checks each node's heartbeats (the
 * Ready condition's lastHeartbeatTime and the node's Lease in kube-node-lease); a node silent for
 * --node-monitor-grace-period gets its conditions set to Unknown, a NodeNotReady event, and its pods
 * marked not ready. Nodes that are not Ready are queued, per zone and rate limited
 * (--node-eviction-rate), for the NoExecute taint node.kubernetes.io/unreachable (Ready Unknown) or
 * not-ready (Ready False), which the taint eviction controller turns into pod evictions; if every zone
 * is fully down it stops tainting and takes those taints off (nothing gets evicted when the fault is
 * more likely the control plane's). Conditions are also mirrored as NoSchedule taints, and a node that
 * is Ready again loses its taints.
 */
import { now } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { LEASES } from '../../client/leader-election.js';
import type { Lease, Node, NodeCondition, Pod, Taint } from '../../client/objects.js';
import { NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../util/backoff.js';
import { ConcurrencyLimiter } from '../../util/limiter.js';
import { indexPodsByNode, podsOnNode } from '../common/pods-by-node.js';
import { podCondition } from '../common/pod-util.js';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
} from '../../api/core/taints.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import type { ControllerSettings } from '../settings.js';
import { observeHealth, readyCondition, silentNodeConditions } from './node-health.js';
import type { NodeHealth } from './node-health.js';
import { hasTaint, swapNodeTaints } from './node-taints.js';
import { TokenBucket, ZoneTainter, computeZoneState, zoneKey } from './zones.js';
import type { ZoneState } from './zones.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' };

/** NoSchedule taints mirroring node conditions: condition type → status → taint key. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

/** How often the rate-limited NoExecute tainting runs (scheduler.NodeEvictionPeriod). */
const TAINTING_PERIOD_MS = 100;
/** Nodes whose label excludes them from zone disruption counts. */
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';
const RETRIES = 5;

export class NodeLifecycleController extends QueueController {
  readonly name = 'node-lifecycle-controller';
  private readonly client: RestClient;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly leases: Informer<Lease>;
  private readonly events: EventRecorder;
  private readonly settings: ControllerSettings;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Map<string, Node>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, ZoneTainter>();
  /** Nodes whose pods still need marking not ready (a write failed). */
  private readonly retryPods = new Set<string>();
  private readonly limiter = new ConcurrencyLimiter(8);

  constructor(ctx: ControllerContext) {
    super(ctx.log('node-lifecycle-controller'), 2);
    this.client = ctx.client;
    this.settings = ctx.settings;
    this.events = ctx.events('node-controller');
    this.nodes = ctx.informers.for<Node>(NODES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.leases = ctx.informers.for<Lease>(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    indexPodsByNode(this.pods);
    this.nodes.addHandler({
      add: (n) => this.queue.add(`node:${n.metadata.name}`),
      update: (_o, n) => this.queue.add(`node:${n.metadata.name}`),
    });
    this.pods.addHandler({
      add: (p) => p.spec?.nodeName && this.queue.add(`pod:${objectKey(p)}`),
      update: (o, p) =>
        p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName && this.queue.add(`pod:${objectKey(p)}`),
    });
  }

  override async run(signal: AbortSignal): Promise<void> {
    const monitor = async () => {
      while (!signal.aborted) {
        await this.monitorNodeHealth().catch((err: unknown) =>
          this.log.error('monitoring node health failed', { err }),
        );
        await sleep(this.settings.nodeMonitorPeriodMs, signal);
      }
    };
    const taint = async () => {
      while (!signal.aborted) {
        await this.noExecuteTaintingPass();
        await sleep(TAINTING_PERIOD_MS, signal);
      }
    };
    await Promise.all([monitor(), taint(), super.run(signal)]);
  }

  protected async reconcile(key: string): Promise<void> {
    if (key.startsWith('node:')) return this.noScheduleTaintingPass(key.slice(5));
    if (key.startsWith('pod:')) return this.processPod(key.slice(4));
  }

  /** Mirrors the node's conditions (and spec.unschedulable) as NoSchedule taints. */
  private async noScheduleTaintingPass(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) return;
    const wanted: Taint[] = [];
    for (const c of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[c.type]?.[c.status];
      if (key) wanted.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) wanted.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    const current = (node.spec?.taints ?? []).filter(
      (t) =>
        t.effect === 'NoSchedule' && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)),
    );
    const add = wanted.filter((w) => !current.some((t) => t.key === w.key));
    const remove = current.filter((t) => !wanted.some((w) => w.key === t.key));
    if (add.length || remove.length) await swapNodeTaints(this.client, name, add, remove, node);
  }

  /** A pod just bound to a node that is not Ready is marked not ready at once. */
  private async processPod(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.health.has(nodeName)) return;
    const node = this.nodes.get(undefined, nodeName);
    const ready = node && readyCondition(node);
    if (ready && ready.status !== 'True') await this.markPodsNotReady([pod]);
  }

  private tainter(zone: string): ZoneTainter {
    let t = this.tainters.get(zone);
    if (!t) {
      this.tainters.set(zone, (t = new ZoneTainter(new TokenBucket(this.settings.nodeEvictionRate))));
      this.zoneStates.set(zone, 'Initial');
    }
    return t;
  }

  private nodeEvent(node: Node, reason: string, message: string): void {
    this.events.event(node, 'Normal', reason, message);
  }

  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    const present = new Set(nodes.map((n) => n.metadata.name));
    for (const node of nodes) {
      const name = node.metadata.name;
      if (this.known.has(name)) continue;
      this.known.set(name, node);
      this.tainter(zoneKey(node));
      this.nodeEvent(node, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      await this.markNodeAsReachable(node);
    }
    for (const [name, node] of this.known) {
      if (present.has(name)) continue;
      this.nodeEvent(node, 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
      this.known.delete(name);
      this.health.delete(name);
      this.retryPods.delete(name);
      this.tainters.get(zoneKey(node))?.remove(name);
    }
    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    await Promise.all(
      nodes.map((node) =>
        this.limiter.run(async () => {
          const current = await this.checkNode(node);
          if (current === false || node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] !== undefined) return;
          const zone = zoneKey(node);
          let list = zoneConditions.get(zone);
          if (!list) zoneConditions.set(zone, (list = []));
          list.push(current);
        }),
      ),
    );
    await this.handleDisruption(zoneConditions, nodes);
  }

  /** One node's health pass; its Ready condition after the pass, or false when it could not be checked. */
  private async checkNode(cached: Node): Promise<NodeCondition | undefined | false> {
    let node = cached;
    let result: { observed: NodeCondition; current: NodeCondition | undefined } | undefined;
    for (let attempt = 0; !result; attempt++) {
      try {
        result = await this.tryUpdateNodeHealth(node);
      } catch (err) {
        if (attempt + 1 >= RETRIES) {
          this.log.warn('updating node health failed; no pods will be evicted', {
            node: node.metadata.name,
            err,
          });
          return false;
        }
        try {
          node = await this.client.get<Node>(NODES, undefined, node.metadata.name);
        } catch {
          return false; // deleted meanwhile
        }
      }
    }
    const { observed, current } = result;
    if (!current) return undefined;
    await this.processTaintBasedEviction(node, observed);
    const name = node.metadata.name;
    const becameNotReady = current.status !== 'True' && observed.status === 'True';
    if (becameNotReady) this.nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    if (becameNotReady || (this.retryPods.has(name) && observed.status !== 'True')) {
      const ok = await this.markPodsNotReady(podsOnNode(this.pods, name));
      if (ok) this.retryPods.delete(name);
      else this.retryPods.add(name);
    } else this.retryPods.delete(name);
    return current;
  }

  /**
   * Updates the remembered health of `node` and, past the grace period, posts its conditions as
   * Unknown. Returns the Ready condition before (observed) and after (current) this pass.
   */
  private async tryUpdateNodeHealth(
    node: Node,
  ): Promise<{ observed: NodeCondition; current: NodeCondition | undefined }> {
    const name = node.metadata.name;
    const nowMs = Date.now();
    const ready = readyCondition(node);
    const observed: NodeCondition = ready
      ? { ...ready }
      : {
          type: 'Ready',
          status: 'Unknown',
          lastHeartbeatTime: node.metadata.creationTimestamp,
          lastTransitionTime: node.metadata.creationTimestamp,
        };
    const grace = ready ? this.settings.nodeMonitorGracePeriodMs : this.settings.nodeStartupGracePeriodMs;
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    const health = observeHealth(node, lease, this.health.get(name), nowMs);
    this.health.set(name, health);
    if (nowMs <= health.probeTimestamp + grace) return { observed, current: ready };
    const conditions = silentNodeConditions(node, now());
    if (!conditions) return { observed, current: ready };
    const updated = await this.client.update<Node>(
      NODES,
      { ...node, status: { ...node.status, conditions } },
      { subresource: 'status' },
    );
    this.log.info('node stopped posting status', { node: name, silentForMs: nowMs - health.probeTimestamp });
    // Our own write is not a heartbeat: keep the probe time, remember the new condition.
    const after = readyCondition(updated);
    this.health.set(name, {
      ...health,
      readyHeartbeat: String(after?.lastHeartbeatTime ?? ''),
      readyTransition: String(after?.lastTransitionTime ?? ''),
      readyTransitionTimestamp: nowMs,
    });
    return { observed, current: after };
  }

  /** Queues a not-Ready node for its NoExecute taint, swaps not-ready/unreachable, or clears them. */
  private async processTaintBasedEviction(node: Node, observed: NodeCondition): Promise<void> {
    const name = node.metadata.name;
    const tainter = this.tainter(zoneKey(node));
    if (observed.status === 'False') {
      if (hasTaint(node, UNREACHABLE_NO_EXECUTE))
        await swapNodeTaints(this.client, name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], node);
      else {
        if (!hasTaint(node, NOT_READY_NO_EXECUTE)) tainter.remove(name);
        tainter.add(name);
      }
    } else if (observed.status === 'Unknown') {
      if (hasTaint(node, NOT_READY_NO_EXECUTE))
        await swapNodeTaints(this.client, name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], node);
      else {
        if (!hasTaint(node, UNREACHABLE_NO_EXECUTE)) tainter.remove(name);
        tainter.add(name);
      }
    } else if (observed.status === 'True') {
      if (await this.markNodeAsReachable(node))
        this.log.info('node is healthy again, removed taints', { node: name });
    }
  }

  /** Takes the NoExecute not-ready/unreachable taints off and forgets any queued tainting. */
  private async markNodeAsReachable(node: Node): Promise<boolean> {
    const remove = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE].filter((t) => hasTaint(node, t));
    if (remove.length) await swapNodeTaints(this.client, node.metadata.name, [], remove, node);
    return this.tainter(zoneKey(node)).remove(node.metadata.name) || remove.length > 0;
  }

  /** Taints queued nodes as the zones' rate limits allow. */
  private async noExecuteTaintingPass(): Promise<void> {
    for (const tainter of this.tainters.values())
      await tainter.try(async (name) => {
        const node = this.nodes.get(undefined, name);
        if (!node) return true;
        const ready = readyCondition(node);
        if (!ready) return 50;
        if (ready.status === 'True') return true;
        const [add, remove] =
          ready.status === 'False'
            ? [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE]
            : [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        await swapNodeTaints(this.client, name, [add], [remove], node);
        this.log.info('tainted node', { node: name, taint: `${add.key}:${add.effect}` });
        return true;
      });
  }

  /** Sets the Ready condition of `pods` False, with a NodeNotReady event each; false when a write failed. */
  private async markPodsNotReady(pods: Pod[]): Promise<boolean> {
    let ok = true;
    for (const pod of pods) {
      const ready = podCondition(pod, 'Ready');
      if (!ready || ready.status === 'False') continue;
      try {
        await this.client.patch(
          PODS,
          pod.metadata.namespace,
          pod.metadata.name,
          'strategic',
          {
            status: {
              conditions: [{ ...ready, status: 'False', lastTransitionTime: now() }],
            },
          },
          { subresource: 'status' },
        );
        this.events.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        this.log.warn('could not mark pod not ready', { pod: objectKey(pod), err });
        ok = false;
      }
    }
    return ok;
  }

  /** Zone states, and the rate of tainting in each; when every zone is down, no tainting at all. */
  private async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: Node[]) {
    const newStates = new Map<string, ZoneState>();
    let allFullyDisrupted = true;
    for (const [zone, conditions] of zoneConditions) {
      const { state } = computeZoneState(conditions, this.settings.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWereFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') allWereFullyDisrupted = false;
    }
    if (allFullyDisrupted && allWereFullyDisrupted) return;
    if (allFullyDisrupted) {
      this.log.info('all nodes are not ready: entering full disruption mode, evictions stop');
      for (const node of nodes) await this.markNodeAsReachable(node);
      for (const zone of this.zoneStates.keys()) {
        this.tainter(zone).limiter.setRate(0);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWereFullyDisrupted) {
      this.log.info('some nodes are ready again: leaving full disruption mode');
      const t = Date.now();
      for (const node of nodes) {
        const h = this.health.get(node.metadata.name);
        if (h) this.health.set(node.metadata.name, { ...h, probeTimestamp: t, readyTransitionTimestamp: t });
      }
      for (const zone of this.zoneStates.keys()) {
        this.setZoneRate(zone, zoneConditions.get(zone)?.length ?? 0, newStates.get(zone) ?? 'Normal');
        this.zoneStates.set(zone, newStates.get(zone) ?? 'Normal');
      }
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newStates.get(zone) ?? 'Normal';
      if (state === next) continue;
      this.log.info('zone changed state', { zone, state: next });
      this.setZoneRate(zone, zoneConditions.get(zone)?.length ?? 0, next);
      this.zoneStates.set(zone, next);
    }
  }

  private setZoneRate(zone: string, size: number, state: ZoneState): void {
    const s = this.settings;
    const rate =
      state === 'PartialDisruption'
        ? size > s.largeClusterSizeThreshold
          ? s.secondaryNodeEvictionRate
          : 0
        : s.nodeEvictionRate;
    this.tainter(zone).limiter.setRate(rate);
  }
}
