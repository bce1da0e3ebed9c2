/**
 * Scheduled pod deletions (the taint eviction controller's TimedWorkerQueue): one timer per pod, fired
 * at its time. A pod whose deletion already ran stays listed (without a timer), so it is not scheduled
 * twice; cancelling removes it either way and says whether there was anything to cancel.
 */
export interface ScheduledEviction {
  createdAt: number;
  fireAt: number;
}

export class TimedEvictions {
  private readonly entries = new Map<string, ScheduledEviction & { timer?: NodeJS.Timeout }>();

  constructor(private readonly fire: (key: string) => Promise<boolean>) {}

  get(key: string): ScheduledEviction | undefined {
    return this.entries.get(key);
  }

  /** Schedules `key` at `fireAt` (ms); a key already scheduled (or done) is left as it is. */
  add(key: string, createdAt: number, fireAt: number): void {
    if (this.entries.has(key)) return;
    const entry: ScheduledEviction & { timer?: NodeJS.Timeout } = { createdAt, fireAt };
    entry.timer = setTimeout(
      () => {
        delete entry.timer;
        void this.fire(key).then((ok) => {
          // A failed deletion may be scheduled again by the next update.
          if (!ok && this.entries.get(key) === entry) this.entries.delete(key);
        });
      },
      Math.max(0, fireAt - Date.now()),
    );
    this.entries.set(key, entry);
  }

  /** Cancels `key`; true when it was scheduled or had run. */
  cancel(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    return true;
  }

  stop(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }
}
