import { LocalWatchHub } from '../watch-queue.js';
import { checkKey, checkValue, compareKeys, errors } from '../store.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent } from '../store.js';

/** One write in the history: a put (value set) or a delete (tombstone). */
interface Revision {
  rev: number;
  key: string;
  createRev: number;
  /** undefined for a tombstone */
  value: Buffer | undefined;
  /** The revision this write replaced (0: none). */
  prevRev: number;
}

/**
 * An in-memory MVCC store with the same semantics as the durable backends. For unit tests only: it
 * forgets everything when the process ends, and every list sorts its keys.
 */
export class MemoryStore implements Store {
  readonly backend = 'memory';
  private rev = 0;
  private compactRev = 0;
  /** All retained writes, in revision order. */
  private history: Revision[] = [];
  private byRev = new Map<number, Revision>();
  /** Live keys: their latest (non-tombstone) write. */
  private live = new Map<string, Revision>();
  private readonly hub = new LocalWatchHub();
  private closed = false;

  private toKV(r: Revision): KeyValue {
    return { key: r.key, value: r.value!, createRevision: r.createRev, modRevision: r.rev };
  }

  private toEvent(r: Revision): WatchEvent {
    const prevRaw = r.prevRev ? this.byRev.get(r.prevRev) : undefined;
    const prev = prevRaw && this.toKV(prevRaw);
    if (r.value === undefined) return { type: 'delete', key: r.key, revision: r.rev, prev: prev! };
    return prev ? { type: 'put', kv: this.toKV(r), prev } : { type: 'put', kv: this.toKV(r) };
  }

  private open(): void {
    if (this.closed) throw errors.closed();
  }

  private append(key: string, value: Buffer | undefined, prev: Revision | undefined): Revision {
    const rev = ++this.rev;
    const r: Revision = {
      rev,
      key,
      value: value === undefined ? undefined : Buffer.from(value),
      createRev: value === undefined ? 0 : (prev?.createRev ?? rev),
      prevRev: prev?.rev ?? 0,
    };
    this.history.push(r);
    this.byRev.set(rev, r);
    if (value === undefined) this.live.delete(key);
    else this.live.set(key, r);
    this.hub.publish([this.toEvent(r)]);
    return r;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.open();
    checkKey(key);
    const r = this.live.get(key);
    return r && this.toKV(r);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.open();
    const at = opts.atRevision || this.rev;
    if (at > this.rev) throw errors.future(at, this.rev);
    if (at < this.compactRev) throw errors.compacted(at, this.compactRev);
    let state: Iterable<Revision>;
    if (at === this.rev) state = this.live.values();
    else {
      const snapshot = new Map<string, Revision>();
      for (const r of this.history) {
        if (r.rev > at) break;
        if (r.value === undefined) snapshot.delete(r.key);
        else snapshot.set(r.key, r);
      }
      state = snapshot.values();
    }
    const after = opts.continueFrom;
    const keys = [...state]
      .filter((r) => r.key.startsWith(prefix) && (after === undefined || compareKeys(r.key, after) > 0))
      .sort((a, b) => compareKeys(a.key, b.key));
    const limit = opts.limit && opts.limit > 0 ? opts.limit : keys.length;
    return {
      items: keys.slice(0, limit).map((r) => this.toKV(r)),
      revision: at,
      more: keys.length > limit,
    };
  }

  async create(key: string, value: Buffer): Promise<number> {
    this.open();
    checkKey(key);
    checkValue(key, value);
    if (this.live.has(key)) throw errors.keyExists(key);
    return this.append(key, value, undefined).rev;
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<number> {
    this.open();
    checkKey(key);
    checkValue(key, value);
    const cur = this.live.get(key);
    if (!cur) throw errors.notFound(key);
    if (cur.rev !== expectedModRevision) throw errors.conflict(key, expectedModRevision, cur.rev);
    return this.append(key, value, cur).rev;
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    this.open();
    checkKey(key);
    const cur = this.live.get(key);
    if (!cur) throw errors.notFound(key);
    if (expectedModRevision !== undefined && cur.rev !== expectedModRevision)
      throw errors.conflict(key, expectedModRevision, cur.rev);
    const r = this.append(key, undefined, cur);
    return { revision: r.rev, prev: this.toKV(cur) };
  }

  watch(prefix: string, fromRevision: number): Watch {
    this.open();
    if (fromRevision < this.compactRev) throw errors.compacted(fromRevision, this.compactRev);
    return this.hub.open(prefix, fromRevision, () =>
      this.history
        .filter((r) => r.rev > fromRevision && r.key.startsWith(prefix))
        .map((r) => this.toEvent(r)),
    );
  }

  async currentRevision(): Promise<number> {
    this.open();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compactRev;
  }

  async compact(revision: number): Promise<void> {
    this.open();
    if (revision > this.rev) throw errors.future(revision, this.rev);
    if (revision <= this.compactRev) throw errors.compacted(revision, this.compactRev);
    // Keep each key's latest write at or before `revision` (unless it is a tombstone) and all later writes.
    const latest = new Map<string, Revision>();
    for (const r of this.history) {
      if (r.rev > revision) break;
      latest.set(r.key, r);
    }
    this.history = this.history.filter((r) => {
      const keep = r.rev > revision || (latest.get(r.key) === r && r.value !== undefined);
      if (!keep) this.byRev.delete(r.rev);
      return keep;
    });
    this.compactRev = revision;
    return;
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.hub.failAll(errors.closed());
    }
    return;
  }
}
