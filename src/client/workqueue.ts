/**
 * A rate-limited work queue with client-go's guarantees: a key is queued at most once, a key being
 * processed is never handed to a second worker (re-adds wait until `done`), and failures are retried
 * with per-item exponential backoff until `forget`.
 */
import { Backoff } from '../util/backoff.js';

export interface WorkQueueOptions {
  /** First retry delay of a failing item (ms). Default 5 ms, as client-go. */
  baseDelayMs?: number;
  /** Longest retry delay (ms). Default 1000 s, as client-go. */
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, Backoff>();
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  get length(): number {
    return this.queue.length;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again when the current worker calls done()
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else this.queue.push(key);
  }

  /** Adds the key after `ms`; an earlier pending delay for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds a failed key after its next backoff delay. */
  addRateLimited(key: K): void {
    let b = this.failures.get(key);
    if (!b) this.failures.set(key, (b = new Backoff(this.baseDelayMs, this.maxDelayMs)));
    this.addAfter(key, b.next());
  }

  /** How many times the key has been retried since it last succeeded. */
  retries(key: K): number {
    return this.failures.get(key)?.attempts ?? 0;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** The next key to work on; undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished with the key; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

/** Runs `workers` loops that take keys from the queue and pass them to `reconcile` until shutdown. */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  reconcile: (key: K) => Promise<void>,
  onError: (key: K, err: unknown) => void,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
