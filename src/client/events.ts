/**
 * An event recorder: writes core/v1 Events about objects with Kubernetes' reasons, and folds repeats
 * of the same event into one object (count and lastTimestamp), which `kubectl describe` shows as
 * `x121 over 5d`. Writes happen in the background, a bounded number at once (so a busy component, the
 * scheduler recording thousands of `Scheduled` events, is not held to one round trip at a time), in
 * order for each involved object; a failed write is logged, never thrown.
 */
import { isStatusError } from '../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../apimachinery/meta.js';
import { now } from '../apimachinery/meta.js';
import type { Logger } from '../util/log.js';
import type { ResourceType, RestClient } from './rest.js';

export const EVENTS: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
};

export interface EventSource {
  /** e.g. `default-scheduler`, `deployment-controller`, `kubelet`. */
  component: string;
  host?: string;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  seenAt: number;
}

/** Repeats older than this start a new Event object, as client-go's correlator does (10 min). */
const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
const MAX_CACHED = 4096;

/** Event writes in flight at once, per recorder. */
const DEFAULT_CONCURRENCY = 16;

export class EventRecorder {
  private readonly recent = new Map<string, Recorded>();
  /** The last write queued for each involved object: its next event waits for it. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private running = 0;
  private readonly slots: (() => void)[] = [];
  private created = 0;

  constructor(
    private readonly client: RestClient,
    private readonly source: EventSource,
    private readonly log?: Logger,
    private readonly concurrency = DEFAULT_CONCURRENCY,
  ) {}

  /** Records `reason`/`message` about `obj`; `type` is Normal or Warning. */
  event(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    fieldPath?: string,
  ): void {
    const meta = obj.metadata ?? {};
    const chainKey = meta.uid ?? `${obj.kind}/${meta.namespace}/${meta.name}`;
    const next = (this.chains.get(chainKey) ?? Promise.resolve())
      .then(() => this.inSlot(() => this.write(obj, type, reason, message, fieldPath)))
      .catch((err: unknown) => this.log?.warn('could not write event', { reason, object: meta.name, err }));
    this.chains.set(chainKey, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(chainKey) === next) this.chains.delete(chainKey);
    });
  }

  /** Resolves when every event recorded so far has been written (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async inSlot(write: () => Promise<void>): Promise<void> {
    // A finished write hands its slot straight to the next waiting one.
    if (this.running >= this.concurrency) await new Promise<void>((r) => this.slots.push(r));
    else this.running++;
    try {
      await write();
    } finally {
      const next = this.slots.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async write(
    obj: KubeObject,
    type: string,
    reason: string,
    message: string,
    fieldPath: string | undefined,
  ): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const involvedObject = {
      kind: obj.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: meta.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const key = JSON.stringify([
      this.source.component,
      this.source.host,
      obj.kind,
      namespace,
      meta.name,
      meta.uid,
      fieldPath,
      type,
      reason,
      message,
    ]);
    const timestamp = now();
    const seen = this.recent.get(key);
    if (seen && Date.now() - seen.seenAt < AGGREGATION_WINDOW_MS) {
      seen.count++;
      seen.seenAt = Date.now();
      try {
        await this.client.patch(EVENTS, seen.namespace, seen.name, 'merge', {
          count: seen.count,
          lastTimestamp: timestamp,
        });
        return;
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
        // The event expired or was deleted: record it afresh.
      }
    }
    const name = `${meta.name ?? 'unknown'}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.created++ % 1_000_000)).toString(16)}`;
    const created = await this.client.create<StoredObject>(EVENTS, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source: this.source,
      count: 1,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
    if (this.recent.size >= MAX_CACHED) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, {
      name: created.metadata.name,
      namespace,
      count: 1,
      firstTimestamp: timestamp,
      seenAt: Date.now(),
    });
  }
}
