import { isStoreError } from './store.js';
import type { Store } from './store.js';
import type { Logger } from '../util/log.js';

export interface CompactorOptions {
  /** How often to compact; kube-apiserver's --etcd-compaction-interval defaults to 5 minutes. */
  intervalMs?: number;
  /** Revisions always kept behind the current one, however quiet the interval was. */
  minRetainRevisions?: number;
  log?: Logger;
}

/**
 * Keeps history bounded the way kube-apiserver does: at each tick it compacts to the revision it saw
 * at the previous tick, so every watcher gets at least one full interval to catch up, while at least
 * `minRetainRevisions` revisions are always kept.
 */
export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private lastSeen = 0;
  private readonly minRetain: number;

  constructor(
    private readonly store: Store,
    private readonly opts: CompactorOptions = {},
  ) {
    this.minRetain = opts.minRetainRevisions ?? 1000;
  }

  /** Runs `tick` every interval until `stop`; the timer keeps the process alive, as a server's work should. */
  start(): this {
    const interval = this.opts.intervalMs ?? 5 * 60_000;
    this.timer = setInterval(() => void this.tick(), interval);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One compaction step; returns the revision compacted to, or undefined if nothing was due. */
  async tick(): Promise<number | undefined> {
    try {
      const current = await this.store.currentRevision();
      const target = Math.min(this.lastSeen, current - this.minRetain);
      this.lastSeen = current;
      if (target <= (await this.store.compactedRevision())) return undefined;
      await this.store.compact(target);
      this.opts.log?.info('compacted', { revision: target, current });
      return target;
    } catch (err) {
      // Another server compacting the same etcd got there first: nothing to do.
      if (isStoreError(err, 'Compacted')) return undefined;
      this.opts.log?.warn('compaction failed', { err });
      return undefined;
    }
  }
}
