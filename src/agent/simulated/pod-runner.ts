/**
 * The simulated kubelet's pod work for all its nodes, from ONE pod watch: a pod bound to one of the
 * nodes gets an IP from the node's podCIDR and starts at once (Running, Ready); a Never/OnFailure pod
 * ends after `k8ts.io/simulated-run-seconds` with `k8ts.io/simulated-exit-code` (OnFailure restarts on
 * a non-zero code); a pod being deleted is finished off at once. Status writes go through a work queue
 * with a fixed number of workers, and each is conditional on the resourceVersion it was decided from,
 * so a stale cache never overwrites newer state (the write fails and the newer event decides again).
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import { EventRecorder } from '../../client/events.js';
import { Informer, objectKey } from '../../client/informer.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import type { Logger } from '../../util/log.js';
import { PodAddressPool } from './pod-ips.js';
import {
  finishedStatus,
  readinessStatus,
  rejectedStatus,
  restartedStatus,
  startedStatus,
} from './pod-status.js';
import { simPodView } from './pod-view.js';
import type { SimPod, SimPodRun } from './pod-view.js';

/** What the pod runner needs to know of one of its nodes. */
export interface SimNodeState {
  hostIP: string;
  podCIDR?: string;
  heartbeatStopped: boolean;
  /** status.allocatable.pods: the kubelet refuses pods beyond it. */
  podCapacity: number;
}

export type NodeLookup = (name: string) => SimNodeState | undefined;

const BY_NODE = 'node';
/** How soon a pod that found no free IP tries again. */
const NO_IP_RETRY_MS = 10_000;

const isTerminal = (phase: string) => phase === 'Succeeded' || phase === 'Failed';

export class SimulatedPods {
  readonly informer: Informer<SimPod>;
  private readonly queue = new WorkQueue<string>();
  private readonly pools = new Map<string, PodAddressPool>();
  /** When we started each pod's current run (ms), for exact run times; after a restart, startedAt says. */
  private readonly startedMs = new Map<string, number>();
  private readonly recorders = new Map<string, EventRecorder>();

  constructor(
    private readonly client: RestClient,
    ours: (nodeName: string) => boolean,
    private readonly node: NodeLookup,
    private readonly workers: number,
    private readonly log: Logger,
  ) {
    this.informer = new Informer<SimPod>(client, PODS, { log, transform: simPodView(ours) });
    this.informer.addIndex(BY_NODE, (p) => (p.run ? [p.nodeName] : []));
    this.informer.addHandler({
      add: (p) => p.run && this.queue.add(objectKey(p)),
      update: (_old, p) => p.run && this.queue.add(objectKey(p)),
      delete: (p) => this.release(p),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.informer.start();
    await runWorkers(
      this.queue,
      this.workers,
      (key) => this.reconcile(key),
      (key, err) => this.log.warn('pod sync failed', { pod: key, err }),
    );
    await this.informer.stop();
  }

  /** The node's podCIDR or heartbeat changed: look at its pods again. */
  nodeChanged(name: string): void {
    const pool = this.pools.get(name);
    if (pool && pool.cidr !== this.node(name)?.podCIDR) this.pools.delete(name);
    for (const p of this.informer.byIndex(BY_NODE, name)) this.queue.add(objectKey(p));
  }

  private release(p: SimPod): void {
    this.pools.get(p.nodeName)?.release(p.metadata.uid);
    this.startedMs.delete(p.metadata.uid);
  }

  /** The node's address pool, made when its podCIDR is known, holding the IPs its running pods have. */
  private poolFor(nodeName: string, podCIDR: string | undefined): PodAddressPool | undefined {
    if (!podCIDR) return undefined;
    let pool = this.pools.get(nodeName);
    if (pool?.cidr === podCIDR) return pool;
    pool = new PodAddressPool(podCIDR);
    for (const p of this.informer.byIndex(BY_NODE, nodeName))
      if (p.run?.podIP && !isTerminal(p.run.phase)) pool.reserve(p.metadata.uid, p.run.podIP);
    this.pools.set(nodeName, pool);
    return pool;
  }

  private async reconcile(key: string): Promise<void> {
    const pod = this.informer.getByKey(key);
    const run = pod?.run;
    const node = pod && this.node(pod.nodeName);
    if (!pod || !run || !node) return;
    const { namespace, name, uid } = pod.metadata;
    if (pod.metadata.deletionTimestamp) {
      // The containers "stop" at once: finish the graceful deletion.
      await this.ignoreGone(
        this.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } }),
      );
      return;
    }
    if (isTerminal(run.phase)) return this.release(pod);
    if (run.phase === 'Pending' || !run.podIP) return this.start(key, pod, run, node);
    if (run.restartPolicy !== 'Always') {
      const started = this.startedMs.get(uid) ?? (run.startedAt ? Date.parse(run.startedAt) : Date.now());
      const left = started + run.runSeconds * 1000 - Date.now();
      if (left > 0) this.queue.addAfter(key, left);
      else return this.finish(pod, run);
    }
    // Readiness follows the (simulated) probes. The node lifecycle controller marks pods not ready while
    // a node is silent; once it reports again, so do its pods.
    if (run.ready !== run.probeReady && !node.heartbeatStopped)
      await this.patchStatus(pod, readinessStatus(pod, run.probeReady, now()));
  }

  private async start(key: string, pod: SimPod, run: SimPodRun, node: SimNodeState): Promise<void> {
    if (run.hostNetwork) return this.started(key, pod, run, node.hostIP, node.hostIP);
    const pool = this.poolFor(pod.nodeName, node.podCIDR);
    if (!pool) return; // no podCIDR yet: nodeChanged() brings the pod back
    const { uid } = pod.metadata;
    const stamp = now();
    if (!pool.has(uid) && pool.allocated >= node.podCapacity) {
      await this.patchStatus(pod, rejectedStatus(pod, pool.allocated, node.podCapacity, stamp));
      return;
    }
    const ip = pool.allocate(uid);
    if (ip === undefined) {
      this.recorder(pod.nodeName).event(
        pod,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${pool.rangeText}`,
      );
      this.queue.addAfter(key, NO_IP_RETRY_MS);
      return;
    }
    await this.started(key, pod, run, ip, node.hostIP);
  }

  private async started(key: string, pod: SimPod, run: SimPodRun, ip: string, hostIP: string): Promise<void> {
    if (await this.patchStatus(pod, startedStatus(pod, run, ip, hostIP, now()))) {
      this.startedMs.set(pod.metadata.uid, Date.now());
      if (run.restartPolicy !== 'Always') this.queue.addAfter(key, run.runSeconds * 1000);
    }
  }

  /** The run is over: Succeeded or Failed, or (OnFailure with a non-zero code) a restart. */
  private async finish(pod: SimPod, run: SimPodRun): Promise<void> {
    const stamp = now();
    if (run.exitCode !== 0 && run.restartPolicy === 'OnFailure') {
      if (await this.patchStatus(pod, restartedStatus(pod, run, run.exitCode, stamp))) {
        this.startedMs.set(pod.metadata.uid, Date.now());
        this.queue.addAfter(objectKey(pod), run.runSeconds * 1000);
      }
      return;
    }
    if (await this.patchStatus(pod, finishedStatus(pod, run, run.exitCode, stamp))) this.release(pod);
  }

  /** A conditional status patch; false when the pod changed or went meanwhile (a newer event follows). */
  private async patchStatus(pod: SimPod, patch: object): Promise<boolean> {
    const { namespace, name } = pod.metadata;
    try {
      await this.client.patch(PODS, namespace, name, 'strategic', patch, { subresource: 'status' });
      return true;
    } catch (err) {
      if (isStatusError(err, 'Conflict') || isStatusError(err, 'NotFound')) return false;
      throw err;
    }
  }

  private async ignoreGone(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }

  /** Events as the kubelet of `nodeName` writes them (source kubelet, host the node). */
  private recorder(nodeName: string): EventRecorder {
    let r = this.recorders.get(nodeName);
    if (!r)
      this.recorders.set(
        nodeName,
        (r = new EventRecorder(this.client, { component: 'kubelet', host: nodeName }, this.log)),
      );
    return r;
  }
}
