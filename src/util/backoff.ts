/**
 * Exponential backoff: the one implementation every retry loop in k8ts uses (store RPCs, watch
 * reconnects, and later client requests and workqueues).
 */
export class Backoff {
  private current = 0;
  /** How many delays have been handed out since the last reset. */
  attempts = 0;

  constructor(
    readonly initialMs = 25,
    readonly maxMs = 1_000,
    readonly factor = 2,
  ) {}

  /** The delay before the next attempt: initial, then multiplied by `factor` each time, up to `maxMs`. */
  next(): number {
    this.attempts++;
    this.current = this.current === 0 ? this.initialMs : Math.min(this.current * this.factor, this.maxMs);
    return this.current;
  }

  /** Start again from the initial delay (after a success). */
  reset(): void {
    this.current = 0;
    this.attempts = 0;
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
