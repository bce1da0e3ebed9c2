/**
 * An informer: a local cache of one resource kept current by list + watch, with event handlers and
 * indexes. A watch that ends is resumed from the last resourceVersion seen (bookmarks included); a
 * 410 Expired means history is gone, so it lists again and reports the difference as events.
 */
import { isStatusError } from '../apimachinery/errors.js';
import type { StoredObject } from '../apimachinery/meta.js';
import { Backoff, sleep } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import type { ResourceType, RestClient } from './rest.js';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** The last state known of the object before it was deleted. */
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every this many ms each cached object is re-delivered as an update (0 = never). */
  resyncMs?: number;
  log?: Logger;
}

/**
 * Turns each listed or watched object into what the cache keeps (client-go's SetTransform), so a
 * component that needs a few fields of many objects does not hold them whole. The result must keep
 * the object's metadata name, namespace and resourceVersion.
 */
export type TransformFunc<T> = (obj: StoredObject) => T;

export type IndexFunc<T> = (obj: T) => string[];

/** `namespace/name`, or `name` for cluster-scoped objects: how caches and workqueues key objects. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informer<T extends StoredObject = StoredObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private syncedResolve!: () => void;
  private running: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Resolves after the first complete list has been delivered to the handlers. */
  readonly synced = new Promise<void>((resolve) => (this.syncedResolve = resolve));
  hasSynced = false;
  /** How many times the informer listed (the first list plus relists after 410 or errors). */
  lists = 0;

  constructor(
    private readonly client: RestClient,
    readonly type: ResourceType,
    private readonly opts: InformerOptions & { transform?: TransformFunc<T> } = {},
  ) {}

  private view(obj: StoredObject): T {
    return this.opts.transform ? this.opts.transform(obj) : (obj as T);
  }

  addHandler(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    // A handler added late sees the objects already cached, as client-go's informers do.
    if (this.hasSynced) for (const obj of this.items.values()) h.add?.(obj);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  list(filter?: (obj: T) => boolean): T[] {
    const all = [...this.items.values()];
    return filter ? all.filter(filter) : all;
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.items.get(k)!).filter(Boolean);
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): this {
    this.running ??= this.run();
    if (this.opts.resyncMs)
      this.resyncTimer = setInterval(() => {
        for (const obj of this.items.values()) this.emit('update', obj, obj);
      }, this.opts.resyncMs);
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.resyncTimer);
    await this.running;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(100, 10_000);
    const signal = this.abort.signal;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce(signal);
        backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        if (isStatusError(err, 'Expired') || isStatusError(err, 'Gone')) {
          this.opts.log?.info('watch expired, listing again', { resource: this.type.resource });
          needList = true;
          continue;
        }
        needList = true;
        this.opts.log?.warn('list/watch failed', { resource: this.type.resource, err });
        await sleep(backoff.next());
      }
    }
  }

  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    // Page by page, so that with a transform the whole objects of one page at most are held at once.
    const seen = new Set<string>();
    let resourceVersion = '';
    for await (const page of this.client.listPages(this.type, { namespace, labelSelector, fieldSelector })) {
      for (const obj of page.items) {
        const key = objectKey(obj);
        seen.add(key);
        this.upsert(key, this.view(obj));
      }
      resourceVersion = page.metadata.resourceVersion;
    }
    this.lists++;
    for (const [key, old] of [...this.items]) if (!seen.has(key)) this.remove(key, old);
    this.resourceVersion = resourceVersion;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const events = this.client.watch(this.type, {
      namespace,
      labelSelector,
      fieldSelector,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // Spread reconnects over time, as client-go does (5–10 minutes).
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      signal,
    });
    for await (const e of events) {
      const rv = e.object.metadata?.resourceVersion;
      if (e.type !== 'BOOKMARK') {
        const key = objectKey(e.object);
        if (e.type === 'DELETED') {
          const old = this.items.get(key);
          if (old) this.remove(key, this.view(e.object));
        } else this.upsert(key, this.view(e.object));
      }
      if (rv) this.resourceVersion = rv;
    }
  }

  private upsert(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    if (old) this.emit('update', old, obj);
    else this.emit('add', obj);
  }

  private remove(key: string, last: T): void {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.delete(key);
    this.emit('delete', last);
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indexes.get(name)!, v, key);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(v);
      }
    }
  }

  private emit(kind: 'add', obj: T): void;
  private emit(kind: 'update', old: T, obj: T): void;
  private emit(kind: 'delete', obj: T): void;
  private emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.add?.(a);
        else if (kind === 'update') h.update?.(a, b!);
        else h.delete?.(a);
      } catch (err) {
        this.opts.log?.error('informer handler failed', { resource: this.type.resource, err });
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}
