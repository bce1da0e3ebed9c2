/**
 * The scheduling queue (kube's PriorityQueue): pods waiting to be scheduled, in three places.
 * - active: ready now, highest priority first, then the longest waiting;
 * - backoff: failed recently and waiting out a per-pod backoff (1 s doubling up to 10 s);
 * - unschedulable: failed and parked until a cluster event that may help them (a node added or
 *   changed, a pod deleted, ...), or for at most 5 minutes.
 * Pods with scheduling gates are held apart until the gates are removed.
 */
import type { Pod } from '../client/objects.js';
import { Heap } from './heap.js';
import type { HeapItem } from './heap.js';

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'VolumeChange'
  | 'NamespaceChange'
  | 'PolicyChange';

/** Which plugins' rejections each event may resolve (kube's EventsToRegister, coarsely). */
const HELPS: Record<ClusterEvent, readonly string[] | 'all'> = {
  NodeAdd: 'all',
  NodeUpdate: 'all',
  AssignedPodAdd: ['InterPodAffinity', 'PodTopologySpread'],
  AssignedPodUpdate: ['InterPodAffinity', 'PodTopologySpread', 'NodeResourcesFit'],
  AssignedPodDelete: ['NodeResourcesFit', 'NodePorts', 'InterPodAffinity', 'PodTopologySpread'],
  VolumeChange: ['VolumeBinding'],
  NamespaceChange: ['InterPodAffinity'],
  PolicyChange: ['DefaultPreemption'],
};

export type Where = 'active' | 'backoff' | 'unschedulable' | 'inflight' | 'gated';

export interface QueuedPod extends HeapItem {
  key: string;
  pod: Pod;
  priority: number;
  /** When it last entered the queue: the tie-breaker among equal priorities. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected it in its last attempt (empty: any event may help). */
  unschedulablePlugins: Set<string>;
  backoffUntil: number;
  where: Where;
}

export interface QueueOptions {
  priorityOf(pod: Pod): number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried at least this often. */
  maxUnschedulableMs?: number;
  now?: () => number;
}

const gated = (pod: Pod) => (pod.spec?.schedulingGates ?? []).length > 0;

/** What a pod update must change for a parked pod to be worth another try. */
const schedulingRelevant = (pod: Pod) =>
  JSON.stringify([pod.spec, pod.metadata.labels, pod.metadata.annotations]);

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  private readonly active = new Heap<QueuedPod>(
    (a, b) => a.priority > b.priority || (a.priority === b.priority && a.timestamp < b.timestamp),
  );
  private readonly backoff = new Heap<QueuedPod>((a, b) => a.backoffUntil < b.backoffUntil);
  private readonly unschedulable = new Set<QueuedPod>();
  private readonly waiters: ((qp: QueuedPod | undefined) => void)[] = [];
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffTimerAt = Infinity;
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: QueueOptions) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => this.flushUnschedulable(), 30_000);
    this.flushTimer.unref();
  }

  get size(): number {
    return this.pods.size;
  }

  counts(): Record<Where, number> {
    const c: Record<Where, number> = { active: 0, backoff: 0, unschedulable: 0, inflight: 0, gated: 0 };
    for (const qp of this.pods.values()) c[qp.where]++;
    return c;
  }

  get(key: string): QueuedPod | undefined {
    return this.pods.get(key);
  }

  /** A pending pod appeared, or changed. */
  addOrUpdate(key: string, pod: Pod): void {
    if (this.closed) return;
    const qp = this.pods.get(key);
    if (!qp) {
      const entry: QueuedPod = {
        key,
        pod,
        priority: this.opts.priorityOf(pod),
        timestamp: this.now(),
        attempts: 0,
        unschedulablePlugins: new Set(),
        backoffUntil: 0,
        where: 'gated',
        heapIndex: -1,
      };
      this.pods.set(key, entry);
      if (!gated(pod)) this.toActive(entry);
      return;
    }
    const relevant = qp.where === 'unschedulable' && schedulingRelevant(qp.pod) !== schedulingRelevant(pod);
    qp.pod = pod;
    if (qp.where === 'gated' && !gated(pod)) this.toActive(qp);
    else if (relevant) this.release(qp);
  }

  delete(key: string): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    this.pods.delete(key);
    this.detach(qp);
  }

  /** The next pod to schedule; waits for one. Undefined once the queue is closed. */
  pop(): Promise<QueuedPod | undefined> {
    const qp = this.active.pop();
    if (qp) return Promise.resolve(this.startAttempt(qp));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The attempt found no node: park the pod until an event that may help (or its backoff, if one came). */
  unschedulableAfterAttempt(qp: QueuedPod, plugins: Set<string>): void {
    if (this.pods.get(qp.key) !== qp) return;
    qp.unschedulablePlugins = plugins;
    qp.timestamp = this.now();
    qp.backoffUntil = qp.timestamp + this.backoffMs(qp.attempts);
    qp.where = 'unschedulable';
    this.unschedulable.add(qp);
  }

  /** The attempt failed for another reason (an API error, a failed binding): retry after backoff. */
  retryAfterError(key: string, pod?: Pod): void {
    let qp = this.pods.get(key);
    if (!qp && pod) {
      this.addOrUpdate(key, pod);
      qp = this.pods.get(key);
      if (!qp) return;
      qp.attempts = 1;
    }
    if (!qp || qp.where === 'gated') return;
    this.detach(qp);
    qp.timestamp = this.now();
    qp.backoffUntil = qp.timestamp + this.backoffMs(qp.attempts);
    this.toBackoff(qp);
  }

  /** The pod was placed: it leaves the queue. */
  done(key: string): void {
    this.delete(key);
  }

  /** A cluster event: parked pods it may help go back to active (or to backoff if still backing off). */
  onEvent(event: ClusterEvent): void {
    if (this.unschedulable.size === 0) return;
    const helps = HELPS[event];
    for (const qp of [...this.unschedulable]) {
      if (helps !== 'all' && qp.unschedulablePlugins.size > 0) {
        let hit = false;
        for (const p of helps) if (qp.unschedulablePlugins.has(p)) hit = true;
        if (!hit) continue;
      }
      this.release(qp);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    clearTimeout(this.backoffTimer);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  backoffMs(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  private startAttempt(qp: QueuedPod): QueuedPod {
    qp.where = 'inflight';
    qp.attempts++;
    return qp;
  }

  private detach(qp: QueuedPod): void {
    this.active.remove(qp);
    this.backoff.remove(qp);
    this.unschedulable.delete(qp);
  }

  private release(qp: QueuedPod): void {
    this.detach(qp);
    if (qp.backoffUntil > this.now()) this.toBackoff(qp);
    else this.toActive(qp);
  }

  private toActive(qp: QueuedPod): void {
    qp.where = 'active';
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.startAttempt(qp));
    else this.active.push(qp);
  }

  private toBackoff(qp: QueuedPod): void {
    qp.where = 'backoff';
    this.backoff.push(qp);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const next = this.backoff.peek();
    if (!next || next.backoffUntil >= this.backoffTimerAt) return;
    clearTimeout(this.backoffTimer);
    this.backoffTimerAt = next.backoffUntil;
    this.backoffTimer = setTimeout(() => this.flushBackoff(), Math.max(0, next.backoffUntil - this.now()));
  }

  private flushBackoff(): void {
    this.backoffTimerAt = Infinity;
    const now = this.now();
    for (let qp = this.backoff.peek(); qp && qp.backoffUntil <= now; qp = this.backoff.peek()) {
      this.backoff.pop();
      this.toActive(qp);
    }
    this.armBackoffTimer();
  }

  private flushUnschedulable(): void {
    const now = this.now();
    for (const qp of [...this.unschedulable])
      if (now - qp.timestamp > this.maxUnschedulableMs) this.release(qp);
  }
}
