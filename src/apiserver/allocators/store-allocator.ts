/**
 * An allocator of the values of one Range, persisted in the Store as one key per allocated value
 * (`_allocations/<kind>/<value>`). The store's atomic create is the lock: two API servers, or two
 * concurrent requests in one, can never both get a value, and allocations outlive restarts. The
 * in-memory set is only a hint of what is taken, refreshed from the store when it claims the range
 * is full.
 */
import { isStoreError } from '../../storage/store.js';
import type { Store } from '../../storage/store.js';
import type { Range } from './ranges.js';

/** Who holds a value: the Service it was allocated for. */
export interface Owner {
  namespace: string;
  name: string;
  uid?: string;
}

export class RangeFullError extends Error {
  constructor() {
    super('range is full');
  }
}
export class AlreadyAllocatedError extends Error {}
export class NotInRangeError extends Error {}

export interface StoreAllocatorOptions {
  /** Key prefix, ending in `/`. */
  prefix: string;
  range: Range;
  /** The texts Kubernetes uses for "already allocated" and "not in range". */
  allocatedText: string;
  notInRangeText: (value: string) => string;
}

export class StoreAllocator {
  private readonly taken = new Set<number>();
  readonly range: Range;

  constructor(
    private readonly store: Store,
    private readonly opts: StoreAllocatorOptions,
  ) {
    this.range = opts.range;
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  keyOf(value: string): string {
    return `${this.opts.prefix}${value}`;
  }

  /** Reloads the hint set from the store. */
  async refresh(): Promise<void> {
    const held = await this.list();
    this.taken.clear();
    for (const { value } of held) {
      const off = this.range.offsetOf(value);
      if (off !== undefined) this.taken.add(off);
    }
  }

  /** Every allocated value with its owner, at one store revision (the latest unless given). */
  async list(atRevision?: number): Promise<{ value: string; owner?: Owner; modRevision: number }[]> {
    const out: { value: string; owner?: Owner; modRevision: number }[] = [];
    let after: string | undefined;
    let revision = atRevision;
    for (;;) {
      const page = await this.store.list(this.opts.prefix, {
        limit: 1000,
        continueFrom: after,
        atRevision: revision,
      });
      revision = page.revision;
      for (const kv of page.items) {
        out.push({
          value: kv.key.slice(this.opts.prefix.length),
          owner: parseOwner(kv.value),
          modRevision: kv.modRevision,
        });
        after = kv.key;
      }
      if (!page.more) return out;
    }
  }

  /** Takes a value the caller chose. With dryRun, only checks that it could be taken. */
  async allocate(value: string, owner: Owner, dryRun = false): Promise<void> {
    const off = this.range.offsetOf(value);
    if (off === undefined) throw new NotInRangeError(this.opts.notInRangeText(value));
    const canonical = this.range.valueAt(off);
    if (dryRun) {
      if (await this.store.get(this.keyOf(canonical)))
        throw new AlreadyAllocatedError(this.opts.allocatedText);
      return;
    }
    try {
      await this.store.create(this.keyOf(canonical), encodeOwner(owner));
      this.taken.add(off);
    } catch (err) {
      if (isStoreError(err, 'KeyExists')) {
        this.taken.add(off);
        throw new AlreadyAllocatedError(this.opts.allocatedText);
      }
      throw err;
    }
  }

  /**
   * Takes a free value: a random one from the dynamic band first, then from the static band. With
   * dryRun, returns a value that is free now without taking it.
   */
  async allocateNext(owner: Owner, dryRun = false): Promise<string> {
    for (let pass = 0; pass < 2; pass++) {
      const { size, staticBand } = this.range;
      for (const [lo, hi] of [
        [staticBand, size],
        [0, staticBand],
      ] as const) {
        const width = hi - lo;
        if (width <= 0) continue;
        const start = Math.floor(Math.random() * width);
        for (let i = 0; i < width; i++) {
          const off = lo + ((start + i) % width);
          if (this.taken.has(off)) continue;
          const value = this.range.valueAt(off);
          if (dryRun) {
            if (!(await this.store.get(this.keyOf(value)))) return value;
            this.taken.add(off);
            continue;
          }
          // Marked before the write so concurrent callers in this process skip it.
          this.taken.add(off);
          try {
            await this.store.create(this.keyOf(value), encodeOwner(owner));
            return value;
          } catch (err) {
            if (!isStoreError(err, 'KeyExists')) {
              this.taken.delete(off);
              throw err;
            }
          }
        }
      }
      // Values other servers released are only seen in the store.
      await this.refresh();
    }
    throw new RangeFullError();
  }

  /**
   * Gives a value back. With `owner`, only when that owner holds it (a value repaired to another
   * Service is left alone). Values that are not allocated are ignored.
   */
  async release(value: string, owner?: Owner): Promise<boolean> {
    const off = this.range.offsetOf(value);
    if (off === undefined) return false;
    const key = this.keyOf(this.range.valueAt(off));
    const kv = await this.store.get(key);
    if (!kv) {
      this.taken.delete(off);
      return false;
    }
    const holder = parseOwner(kv.value);
    if (owner && holder && (holder.namespace !== owner.namespace || holder.name !== owner.name)) return false;
    try {
      await this.store.delete(key, kv.modRevision);
    } catch (err) {
      if (isStoreError(err, 'NotFound') || isStoreError(err, 'Conflict')) return false;
      throw err;
    }
    this.taken.delete(off);
    return true;
  }

  /** Records an allocation found missing by the repair pass. False when someone holds it already. */
  async restore(value: string, owner: Owner): Promise<boolean> {
    try {
      await this.allocate(value, owner);
      return true;
    } catch (err) {
      if (err instanceof AlreadyAllocatedError) return false;
      throw err;
    }
  }

  /** Removes an allocation the repair pass found leaked, if it has not changed since it was seen. */
  async forget(value: string, modRevision: number): Promise<boolean> {
    try {
      await this.store.delete(this.keyOf(value), modRevision);
    } catch (err) {
      if (isStoreError(err, 'NotFound') || isStoreError(err, 'Conflict')) return false;
      throw err;
    }
    const off = this.range.offsetOf(value);
    if (off !== undefined) this.taken.delete(off);
    return true;
  }
}

function encodeOwner(owner: Owner): Buffer {
  return Buffer.from(JSON.stringify(owner));
}

function parseOwner(value: Buffer): Owner | undefined {
  try {
    const o = JSON.parse(value.toString('utf8')) as Partial<Owner>;
    return typeof o.namespace === 'string' && typeof o.name === 'string'
      ? { namespace: o.namespace, name: o.name, ...(o.uid ? { uid: o.uid } : {}) }
      : undefined;
  } catch {
    return undefined;
  }
}
