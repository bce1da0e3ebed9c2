/**
 * The scheduler (kube-scheduler's default profile): an API client that watches pods, nodes and what
 * the plugins consult, assigns each pending pod of `default-scheduler` to a node, and binds it. Only
 * one instance acts at a time (leader election on the `kube-system/kube-scheduler` Lease).
 *
 * Each attempt is synchronous over an in-memory cache; the pod is then assumed on its node and bound
 * in the background, so the next attempt already counts it while the binding is in flight. A pod that
 * fits nowhere may preempt lower-priority pods, gets a FailedScheduling event and PodScheduled=False,
 * and waits in the queue until a cluster change may help it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isStatusError } from '../apimachinery/errors.js';
import { EventRecorder } from '../client/events.js';
import { objectKey } from '../client/informer.js';
import type { Informer } from '../client/informer.js';
import { LeaderElector } from '../client/leader-election.js';
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PriorityClass,
  StorageClass,
} from '../client/objects.js';
import {
  NAMESPACES,
  NODES,
  PERSISTENT_VOLUMES,
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  POD_DISRUPTION_BUDGETS,
  PRIORITY_CLASSES,
  STORAGE_CLASSES,
} from '../client/resources.js';
import type { RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { isPodTerminal } from '../controllers/common/pod-util.js';
import { logger } from '../util/log.js';
import type { Logger } from '../util/log.js';
import { ApiActions, SCHEDULER_NAME } from './api-actions.js';
import { delayedClaims } from './plugins/volume-binding.js';
import { SchedulerCache } from './cache.js';
import { fitErrorMessage } from './framework/fit-error.js';
import { defaultFramework } from './framework/framework.js';
import { Nominator } from './framework/nominator.js';
import { PodInfo } from './framework/pod-info.js';
import { preempt } from './framework/preemption.js';
import type { Candidate } from './framework/preemption.js';
import { SchedulingAlgorithm } from './framework/schedule.js';
import { PriorityResolver } from './priority.js';
import { SchedulingQueue } from './queue.js';
import type { ClusterEvent, QueuedPod } from './queue.js';

export { SCHEDULER_NAME } from './api-actions.js';

export interface SchedulerOptions {
  client: RestClient;
  /** Take part in leader election (default true). */
  leaderElect?: boolean;
  identity?: string;
  log?: Logger;
  /** Share of nodes to find feasible before scoring; 0 (default) is kube's adaptive share. */
  percentageOfNodesToScore?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bindings in flight at once. */
  maxInFlightBindings?: number;
}

/** A component's health as ComponentStatus reports it. */
export interface Health {
  healthy: boolean;
  message?: string;
  error?: string;
}

const NO_NODES = 'no nodes available to schedule pods';
/** How long the loop schedules before it yields to I/O. */
const BURST_MS = 10;

export class Scheduler {
  private readonly log: Logger;
  private running = false;
  private leading = false;
  private failure: string | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.log = opts.log ?? logger('scheduler');
  }

  /** Whether this instance schedules now (it leads, or leader election is off). */
  get active(): boolean {
    return this.leading;
  }

  /** Healthy while running, leading or standing by; for componentstatuses. */
  healthy(): Promise<Health> {
    if (this.failure) return Promise.resolve({ healthy: false, error: this.failure });
    if (!this.running) return Promise.resolve({ healthy: false, error: 'the scheduler is not running' });
    return Promise.resolve({ healthy: true, message: 'ok' });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    try {
      if (this.opts.leaderElect === false) return await this.lead(signal);
      let term: Promise<void> = Promise.resolve();
      const elector = new LeaderElector({
        client: this.opts.client,
        namespace: 'kube-system',
        name: 'kube-scheduler',
        identity: this.opts.identity ?? `${hostname()}_${randomUUID()}`,
        log: this.log,
        onStartedLeading: (leading) => {
          term = term.then(() => this.lead(leading));
        },
      });
      await elector.run(signal);
      // The last term ends with the election (its signal is aborted too): let it finish its writes.
      await term;
    } finally {
      this.running = false;
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
    const term = new SchedulingTerm(this.opts, this.log);
    this.leading = true;
    try {
      await term.run(signal);
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
      this.log.error('scheduler stopped', { err });
    } finally {
      this.leading = false;
    }
  }
}

/** Everything one leadership term needs: informers, cache, queue, and the scheduling loop. */
class SchedulingTerm {
  private readonly client: RestClient;
  private readonly informers: SharedInformers;
  private readonly events: EventRecorder;
  private readonly actions: ApiActions;
  private readonly cache: SchedulerCache;
  private readonly queue: SchedulingQueue;
  private readonly nominator = new Nominator();
  private readonly algorithm: SchedulingAlgorithm;
  private readonly priorities: PriorityResolver;
  private readonly pods: Informer<Pod>;
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private bindings = 0;
  private readonly bindingSlots: (() => void)[] = [];
  private readonly maxBindings: number;

  constructor(
    opts: SchedulerOptions,
    private readonly log: Logger,
  ) {
    this.client = opts.client;
    this.maxBindings = opts.maxInFlightBindings ?? 100;
    this.informers = new SharedInformers(this.client, log);
    this.events = new EventRecorder(this.client, { component: SCHEDULER_NAME }, log);
    this.actions = new ApiActions(this.client, this.events);
    const inf = this.informers;
    const nodes = inf.for<Node>(NODES);
    this.pods = inf.for<Pod>(PODS);
    const namespaces = inf.for<Namespace>(NAMESPACES);
    const pvcs = inf.for<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
    const pvs = inf.for<PersistentVolume>(PERSISTENT_VOLUMES);
    const classes = inf.for<StorageClass>(STORAGE_CLASSES);
    this.pdbs = inf.for<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.priorities = new PriorityResolver(inf.for<PriorityClass>(PRIORITY_CLASSES));
    this.cache = new SchedulerCache({
      namespaceLabels: (ns) => namespaces.get(undefined, ns)?.metadata.labels,
      pvc: (ns, name) => pvcs.get(ns, name),
      pv: (name) => pvs.get(undefined, name),
      pvs: () => pvs.list(),
      storageClass: (name) => classes.get(undefined, name),
    });
    this.queue = new SchedulingQueue({
      priorityOf: (pod) => this.priorities.priority(pod),
      initialBackoffMs: opts.initialBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
    });
    this.algorithm = new SchedulingAlgorithm(
      defaultFramework(),
      this.cache,
      this.nominator,
      opts.percentageOfNodesToScore ?? 0,
    );

    nodes.addHandler({
      add: (n) => {
        this.cache.setNode(n);
        this.queue.onEvent('NodeAdd');
      },
      update: (old, n) => {
        this.cache.setNode(n);
        if (nodeSchedulingChanged(old, n)) this.queue.onEvent('NodeUpdate');
      },
      delete: (n) => this.cache.removeNode(n.metadata.name),
    });
    this.pods.addHandler({
      add: (p) => this.podChanged(undefined, p),
      update: (old, p) => this.podChanged(old, p),
      delete: (p) => this.podDeleted(p),
    });
    const on = (event: ClusterEvent) => () => this.queue.onEvent(event);
    for (const i of [pvcs, pvs, classes])
      i.addHandler({ add: on('VolumeChange'), update: on('VolumeChange') });
    namespaces.addHandler({ add: on('NamespaceChange'), update: on('NamespaceChange') });
    this.pdbs.addHandler({ add: on('PolicyChange'), update: on('PolicyChange'), delete: on('PolicyChange') });
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    this.informers.start();
    try {
      await Promise.race([
        this.informers.synced(),
        new Promise((r) => signal.addEventListener('abort', r, { once: true })),
      ]);
      if (signal.aborted) return;
      this.log.info('scheduler started', { nodes: this.cache.nodeCount, pending: this.queue.size });
      let burstStart = performance.now();
      for (;;) {
        const qp = await this.queue.pop();
        if (!qp) break;
        try {
          this.scheduleOne(qp);
        } catch (err) {
          this.log.error('scheduling attempt failed', { pod: qp.key, err });
          this.queue.retryAfterError(qp.key);
        }
        if (this.bindings >= this.maxBindings) await new Promise<void>((r) => this.bindingSlots.push(r));
        // Attempts run in short bursts, then watch events and responses get their turn. A burst's
        // bindings reach the API server together, which commits them together.
        if (performance.now() - burstStart >= BURST_MS) {
          await new Promise<void>((r) => setImmediate(r));
          burstStart = performance.now();
        }
      }
    } finally {
      this.queue.close();
      await this.informers.stop();
      await this.events.flush();
    }
  }

  private responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
  }

  private podInfo(pod: Pod): PodInfo | undefined {
    try {
      return new PodInfo(pod, this.priorities.priority(pod));
    } catch {
      return undefined;
    }
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    const node = pod.spec?.nodeName;
    if (!node) {
      if (isPodTerminal(pod) || !this.responsible(pod)) return this.queue.delete(key);
      // A pod being bound (assumed) is not scheduling work until its binding fails.
      if (this.cache.isAssumed(key)) return;
      this.queue.addOrUpdate(key, pod);
      const nominated = pod.status?.nominatedNodeName;
      if (!old && nominated) {
        // Nominated by an earlier leader: keep the room it was promised.
        const info = this.podInfo(pod);
        if (info) this.nominator.add(info, nominated);
      }
      if (pod.spec?.schedulingGates?.length) this.background(this.actions.gated(pod));
      return;
    }
    this.queue.delete(key);
    this.nominator.remove(key);
    if (isPodTerminal(pod)) {
      if (this.cache.placement(key)) {
        this.cache.removePod(key);
        this.queue.onEvent('AssignedPodDelete');
      }
      return;
    }
    const info = this.podInfo(pod);
    if (!info) return;
    const wasPlaced = this.cache.placement(key) !== undefined;
    this.cache.setPod(info, node);
    if (!wasPlaced || !old?.spec?.nodeName) this.queue.onEvent('AssignedPodAdd');
    else if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels))
      this.queue.onEvent('AssignedPodUpdate');
  }

  private podDeleted(pod: Pod): void {
    const key = objectKey(pod);
    this.queue.delete(key);
    this.nominator.remove(key);
    if (this.cache.placement(key)) {
      this.cache.removePod(key);
      this.queue.onEvent('AssignedPodDelete');
    }
  }

  /** One attempt: place the pod and bind it in the background, or record why it fits nowhere. */
  private scheduleOne(qp: QueuedPod): void {
    const pod = this.pods.getByKey(qp.key) ?? qp.pod;
    if (pod.metadata.deletionTimestamp || pod.spec?.nodeName || this.cache.placement(qp.key)) {
      this.queue.done(qp.key);
      return;
    }
    let info: PodInfo;
    try {
      info = new PodInfo(pod, qp.priority);
    } catch (err) {
      const message = `0/${this.cache.nodeCount} nodes are available: parsing pod: ${(err as Error).message}.`;
      this.queue.unschedulableAfterAttempt(qp, new Set(['InterPodAffinity']));
      this.background(this.actions.unschedulable(pod, 'Unschedulable', message));
      return;
    }
    const attempt = this.algorithm.schedule(info);
    const result = attempt.result;
    if ('node' in result) {
      this.cache.assume(info, result.node);
      this.nominator.remove(qp.key);
      this.queue.done(qp.key);
      this.log.debug('pod scheduled', { pod: qp.key, node: result.node, evaluated: result.evaluatedNodes });
      void this.bind(info, result.node);
      return;
    }
    const diagnosis = result.diagnosis;
    let nominated: string | undefined;
    let message: string;
    if (diagnosis.numAllNodes === 0) message = NO_NODES;
    else {
      const outcome = preempt({
        fw: this.algorithm.fw,
        cluster: this.cache,
        nominator: this.nominator,
        pdbs: this.pdbs.list(),
        pod: info,
        preemptionPolicy: this.priorities.preemptionPolicy(pod),
        state: attempt.state,
        diagnosis,
      });
      if (outcome.message) diagnosis.postFilterMsg = outcome.message;
      if (outcome.candidate) nominated = this.nominate(info, outcome.candidate);
      else if (outcome.clearNomination) {
        this.nominator.remove(qp.key);
        nominated = '';
      }
      message = fitErrorMessage(diagnosis);
    }
    this.queue.unschedulableAfterAttempt(qp, diagnosis.unschedulablePlugins);
    this.log.debug('pod unschedulable', { pod: qp.key, message });
    this.background(this.actions.unschedulable(pod, 'Unschedulable', message, nominated));
  }

  /** Nominates the pod to the candidate node and starts evicting its victims. */
  private nominate(pod: PodInfo, c: Candidate): string {
    this.nominator.add(pod, c.node);
    for (const lower of this.nominator.lower(c.node, pod.priority)) {
      // Lower-priority pods nominated there may no longer fit: let them look again.
      this.nominator.remove(lower.key);
      this.queue.retryAfterError(lower.key);
      this.background(this.actions.clearNomination(lower.pod));
    }
    for (const v of c.victims)
      if (!v.terminating) this.background(this.actions.preemptVictim(v.pod, pod.pod, c.node));
    this.log.info('preempting', { pod: pod.key, node: c.node, victims: c.victims.map((v) => v.key) });
    return c.node;
  }

  private async bind(info: PodInfo, node: string): Promise<void> {
    this.bindings++;
    try {
      for (const claim of delayedClaims(info, this.cache)) await this.actions.selectNodeForClaim(claim, node);
      await this.actions.bind(info.pod, node);
    } catch (err) {
      this.cache.forget(info.key);
      this.queue.onEvent('AssignedPodDelete');
      if (isStatusError(err, 'NotFound')) return;
      const current = this.pods.getByKey(info.key);
      if (!current || current.spec?.nodeName || current.metadata.deletionTimestamp) return;
      this.log.warn('binding failed', { pod: info.key, node, err });
      this.queue.retryAfterError(info.key, current);
      // A Conflict means someone else bound it or it is going away; the watch will tell.
      if (isStatusError(err, 'Conflict')) return;
      this.background(
        this.actions.unschedulable(current, 'SchedulerError', `Binding rejected: ${(err as Error).message}`),
      );
    } finally {
      this.bindings--;
      this.bindingSlots.shift()?.();
    }
  }

  private background(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.log.warn('API update failed', { err }));
  }
}

/** Node changes that can make a parked pod fit: labels, taints, cordoning, allocatable. */
function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const view = (n: Node) =>
    JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable]);
  return view(a) !== view(b);
}
