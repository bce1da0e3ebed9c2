/**
 * The shape of every controller: informers feed keys into a rate-limited workqueue, and workers
 * reconcile one key at a time against the current state (level-triggered, so a missed event or a
 * restart only delays convergence). Failed keys are retried with per-item backoff.
 */
import type { RestClient } from '../client/rest.js';
import type { SharedInformers } from '../client/shared-informers.js';
import type { EventRecorder } from '../client/events.js';
import { WorkQueue, runWorkers } from '../client/workqueue.js';
import type { Logger } from '../util/log.js';
import type { ControllerSettings } from './settings.js';

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformers;
  events: (component: string) => EventRecorder;
  log: (component: string) => Logger;
  /** Flag-set tunables (cluster CIDR, node monitor periods, GC thresholds, ...), defaults filled in. */
  settings: ControllerSettings;
}

export interface Controller {
  readonly name: string;
  /** Runs until the signal aborts. Informers are registered before `run` and synced when it starts. */
  run(signal: AbortSignal): Promise<void>;
}

/** A controller whose work is a queue of object keys reconciled by `workers` workers. */
export abstract class QueueController implements Controller {
  protected readonly queue = new WorkQueue<string>();
  abstract readonly name: string;

  constructor(
    protected readonly log: Logger,
    private readonly workers = 2,
  ) {}

  protected abstract reconcile(key: string): Promise<void>;

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    if (signal.aborted) return;
    await runWorkers(
      this.queue,
      this.workers,
      (key) => this.reconcile(key),
      (key, err) => this.log.warn('reconcile failed', { key, err, retries: this.queue.retries(key) }),
    );
  }
}
