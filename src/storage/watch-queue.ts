import { StoreError, eventKey, eventRevision } from './store.js';
import type { Watch, WatchEvent } from './store.js';

/** How many undelivered events a watcher may hold before it is cut off with WatchOverflow. */
export const DEFAULT_WATCH_BUFFER = 100_000;

/**
 * The consumer side of a watch: a queue that producers push events into, read as an async iterable.
 * Each event is delivered exactly once. A consumer that falls `limit` events behind is cut off with
 * WatchOverflow, so a stuck reader cannot grow the server's memory without bound; it resumes from the
 * last revision it saw.
 */
export class WatchQueue implements Watch {
  private buf: WatchEvent[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private failWaiter: ((err: unknown) => void) | undefined;
  private error: StoreError | undefined;
  private done = false;
  private lastRevision: number;
  private readonly startedAt: number;

  constructor(
    fromRevision: number,
    private readonly onClose: () => void = () => {},
    private readonly limit = DEFAULT_WATCH_BUFFER,
  ) {
    this.lastRevision = fromRevision;
    this.startedAt = fromRevision;
  }

  get closed(): boolean {
    return this.done || this.error !== undefined;
  }

  push(e: WatchEvent): void {
    if (this.closed) return;
    const rev = eventRevision(e);
    // Producers deliver each event once, in order. This guard keeps a replay that overlaps the start
    // revision from going backwards; equal revisions pass, since one etcd transaction written by another
    // client can change several keys at one revision.
    if (rev < this.lastRevision || (rev === this.lastRevision && this.startedAt === rev)) return;
    this.lastRevision = rev;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: e, done: false });
      return;
    }
    if (this.buf.length - this.head >= this.limit) {
      this.fail(
        new StoreError(
          'WatchOverflow',
          `watcher fell more than ${this.limit} events behind at revision ${rev} (key ${JSON.stringify(eventKey(e))})`,
        ),
      );
      return;
    }
    this.buf.push(e);
  }

  fail(err: StoreError): void {
    if (this.closed) return;
    this.error = err;
    this.onClose();
    if (this.failWaiter && this.head >= this.buf.length) {
      const f = this.failWaiter;
      this.waiter = this.failWaiter = undefined;
      f(err);
    }
  }

  close(): void {
    if (this.closed) return;
    this.done = true;
    this.buf = [];
    this.head = 0;
    this.onClose();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  private next(): Promise<IteratorResult<WatchEvent>> {
    if (this.head < this.buf.length) {
      const value = this.buf[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.buf.length) {
        this.buf = this.buf.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/**
 * Fan-out for backends whose writes all happen in this process (sqlite, memory). Opening a watch
 * replays history and registers the watcher in one synchronous step, so no write can slip between
 * the replay and the live stream: no gaps, no duplicates.
 */
export class LocalWatchHub {
  private readonly watchers = new Set<{ prefix: string; queue: WatchQueue }>();

  constructor(private readonly bufferLimit = DEFAULT_WATCH_BUFFER) {}

  /** `replay` must be synchronous and return every event after `fromRevision` under `prefix`, in order. */
  open(prefix: string, fromRevision: number, replay: () => Iterable<WatchEvent>): Watch {
    const entry = {
      prefix,
      queue: new WatchQueue(fromRevision, () => this.watchers.delete(entry), this.bufferLimit),
    };
    for (const e of replay()) entry.queue.push(e);
    if (!entry.queue.closed) this.watchers.add(entry);
    return entry.queue;
  }

  publish(events: readonly WatchEvent[]): void {
    if (this.watchers.size === 0) return;
    for (const e of events) {
      const key = eventKey(e);
      for (const w of this.watchers) if (key.startsWith(w.prefix)) w.queue.push(e);
    }
  }

  failAll(err: StoreError): void {
    for (const w of [...this.watchers]) w.queue.fail(err);
  }

  get size(): number {
    return this.watchers.size;
  }
}
