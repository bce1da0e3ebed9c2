/**
 * Objects over the revisioned Store: key layout, JSON encoding, resourceVersion = modRevision,
 * optimistic concurrency, filtered pagination and filtered watch. Every resource goes through here.
 */
import { randomUUID } from 'node:crypto';
import * as E from '../../apimachinery/errors.js';
import type { GroupResource } from '../../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../../apimachinery/meta.js';
import { isStoreError } from '../../storage/store.js';
import type { Store, WatchEvent as StoreEvent } from '../../storage/store.js';
import type { ResourceDefinition } from '../../api/types.js';

export type Filter = (obj: StoredObject) => boolean;

export interface ListOptions {
  filter?: Filter;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: StoredObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
  /** The store revision of the change (for bookmarks). */
  revision: number;
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

const gr = (def: ResourceDefinition): GroupResource => ({ group: def.group, resource: def.resource });

/** Where an object lives in the store: `<resource>/<namespace>/<name>`, or `<resource>/<name>` for cluster scope. */
export function objectKey(def: ResourceDefinition, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${def.resource}/${namespace}/${name}` : `${def.resource}/${name}`;
}

function listPrefix(def: ResourceDefinition, namespace: string | undefined): string {
  return def.namespaced && namespace ? `${def.resource}/${namespace}/` : `${def.resource}/`;
}

/** Turns storage failures into the Status errors kube-apiserver returns for them. */
export function toStatusError(err: unknown, def: ResourceDefinition, name: string): unknown {
  if (!isStoreError(err)) return err;
  switch (err.code) {
    case 'KeyExists':
      return E.alreadyExists(gr(def), name);
    case 'NotFound':
      return E.notFound(gr(def), name);
    case 'Conflict':
      return E.staleObject(gr(def), name);
    case 'Compacted':
      return E.expired(`The resourceVersion for the provided list is too old.`);
    case 'FutureRevision':
      return E.timeout(`Too large resource version`);
    case 'TooLarge':
      return E.tooLarge('etcdserver: request is too large');
    case 'InvalidKey':
      return E.badRequest(err.message);
    default:
      return E.serviceUnavailable(`storage is unavailable: ${err.message}`);
  }
}

interface SharedDecode {
  def: ResourceDefinition;
  rev: number;
  obj: StoredObject;
}

export class ObjectStore {
  /**
   * Watch objects decoded once per store event, for every watcher that receives it (the store hands
   * the same value to each). Like kube-apiserver's watch cache, the objects a watch yields are shared
   * and must not be mutated.
   */
  private readonly watchDecoded = new WeakMap<Buffer, SharedDecode[]>();

  constructor(readonly store: Store) {}

  /** The stored bytes as `def`'s version sees them (converted when it is stored as another version). */
  private decode(def: ResourceDefinition, value: Buffer, rev: number): StoredObject {
    const stored = JSON.parse(value.toString('utf8')) as StoredObject;
    const obj = (def.storedAs ? def.storedAs.fromStorage(stored) : stored) as StoredObject;
    obj.metadata.resourceVersion = String(rev);
    return obj;
  }

  /** The bytes to store for `obj` of `def`'s version, and the object as a read of them returns it. */
  private encode(def: ResourceDefinition, obj: KubeObject): { bytes: Buffer; view: KubeObject } {
    // resourceVersion is the store's to give; it is never part of the stored bytes.
    const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
    const stored = def.storedAs
      ? def.storedAs.toStorage({ ...obj, metadata: meta })
      : { ...obj, metadata: meta };
    const bytes = Buffer.from(JSON.stringify(stored));
    return { bytes, view: def.storedAs ? def.storedAs.fromStorage(structuredClone(stored)) : obj };
  }

  async get(def: ResourceDefinition, namespace: string | undefined, name: string): Promise<StoredObject> {
    try {
      const kv = await this.store.get(objectKey(def, namespace, name));
      if (!kv) throw E.notFound(gr(def), name);
      return this.decode(def, kv.value, kv.modRevision);
    } catch (err) {
      throw toStatusError(err, def, name);
    }
  }

  /** Stores a new object. Metadata the server owns (uid, timestamps, generation) is set here. */
  async create(def: ResourceDefinition, obj: StoredObject): Promise<StoredObject> {
    const name = obj.metadata.name;
    try {
      const { bytes, view } = this.encode(def, obj);
      const rev = await this.store.create(objectKey(def, obj.metadata.namespace, name), bytes);
      return { ...view, metadata: { ...view.metadata!, resourceVersion: String(rev) } } as StoredObject;
    } catch (err) {
      throw toStatusError(err, def, name);
    }
  }

  /** Writes `obj` if the stored object is still at `expectedRevision`. */
  async update(def: ResourceDefinition, obj: StoredObject, expectedRevision: number): Promise<StoredObject> {
    const name = obj.metadata.name;
    try {
      const { bytes, view } = this.encode(def, obj);
      const rev = await this.store.update(
        objectKey(def, obj.metadata.namespace, name),
        bytes,
        expectedRevision,
      );
      return { ...view, metadata: { ...view.metadata!, resourceVersion: String(rev) } } as StoredObject;
    } catch (err) {
      throw toStatusError(err, def, name);
    }
  }

  async delete(def: ResourceDefinition, obj: StoredObject): Promise<StoredObject> {
    const name = obj.metadata.name;
    try {
      const res = await this.store.delete(
        objectKey(def, obj.metadata.namespace, name),
        Number(obj.metadata.resourceVersion),
      );
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.revision) } };
    } catch (err) {
      throw toStatusError(err, def, name);
    }
  }

  /**
   * Read-modify-write with retries on conflict: `mutate` gets the current object and returns the new one
   * (or undefined to leave it). With `expectedResourceVersion`, a stale object fails with Conflict instead.
   */
  async guaranteedUpdate(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    mutate: (cur: StoredObject) => Promise<StoredObject | undefined> | StoredObject | undefined,
  ): Promise<{ object: StoredObject; changed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(def, namespace, name);
      const next = await mutate(structuredClone(cur));
      if (!next) return { object: cur, changed: false };
      try {
        return { object: await this.update(def, next, Number(cur.metadata.resourceVersion)), changed: true };
      } catch (err) {
        if (E.isStatusError(err, 'Conflict') && attempt < 16) continue;
        throw err;
      }
    }
  }

  async currentResourceVersion(): Promise<string> {
    return String(await this.store.currentRevision());
  }

  async list(
    def: ResourceDefinition,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<ListResult> {
    const prefix = listPrefix(def, namespace);
    let atRevision: number | undefined;
    let after: string | undefined;
    if (opts.continueToken) {
      const tok = decodeContinue(opts.continueToken);
      atRevision = tok.rv;
      after = tok.start ? `${prefix}${tok.start}` : undefined;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const rv = Number(opts.resourceVersion);
      if (!Number.isInteger(rv) || rv < 0)
        throw E.badRequest(`invalid resource version: ${opts.resourceVersion}`);
      const current = await this.store.currentRevision();
      if (opts.resourceVersionMatch === 'Exact') atRevision = rv;
      else if (rv > current) throw E.timeout(`Too large resource version: ${rv}, current: ${current}`);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: StoredObject[] = [];
    let revision = atRevision;
    let more = false;
    let lastKey: string | undefined;
    try {
      // Filters apply after reading, so keep reading pages until the page is full or the keys run out.
      for (;;) {
        const page = await this.store.list(prefix, {
          limit: limit ? Math.max(limit - items.length, 1) * (opts.filter ? 2 : 1) + 1 : 0,
          continueFrom: after,
          atRevision: revision,
        });
        revision = page.revision;
        for (const kv of page.items) {
          lastKey = kv.key;
          const obj = this.decode(def, kv.value, kv.modRevision);
          if (opts.filter && !opts.filter(obj)) continue;
          if (limit && items.length === limit) {
            more = true;
            break;
          }
          items.push(obj);
        }
        if (more || !page.more) break;
        after = lastKey;
      }
    } catch (err) {
      if (isStoreError(err, 'Compacted') && opts.continueToken)
        throw E.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      throw toStatusError(err, def, '');
    }
    const result: ListResult = { items, resourceVersion: String(revision) };
    if (more) {
      const last = items.at(-1)!.metadata;
      // The token names the last key returned, relative to the listed prefix, and the snapshot revision.
      const start = objectKey(def, last.namespace, last.name).slice(prefix.length);
      result.continueToken = encodeContinue({ v: 'meta.k8s.io/v1', rv: revision, start });
    }
    return result;
  }

  /**
   * Changes after `fromRevision`, filtered. An object that stops matching the filter is reported DELETED,
   * one that starts matching ADDED, as Kubernetes does for selector watches.
   */
  async *watch(
    def: ResourceDefinition,
    namespace: string | undefined,
    fromRevision: number,
    filter?: Filter,
    signal?: AbortSignal,
  ): AsyncGenerator<WatchEvent> {
    let w;
    try {
      w = this.store.watch(listPrefix(def, namespace), fromRevision);
    } catch (err) {
      if (isStoreError(err, 'Compacted'))
        throw E.expired(`too old resource version: ${fromRevision} (${err.revision ?? 0})`);
      throw toStatusError(err, def, '');
    }
    const onAbort = () => w.close();
    if (signal?.aborted) w.close();
    signal?.addEventListener('abort', onAbort);
    try {
      for await (const e of w) {
        const ev = this.toWatchEvent(def, e, filter);
        if (ev) yield ev;
      }
    } catch (err) {
      if (isStoreError(err, 'Compacted'))
        throw E.expired(`too old resource version: ${fromRevision} (${err.revision ?? 0})`);
      throw toStatusError(err, def, '');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      w.close();
    }
  }

  private decodeShared(def: ResourceDefinition, value: Buffer, rev: number): StoredObject {
    let decoded = this.watchDecoded.get(value);
    const hit = decoded?.find((d) => d.def === def && d.rev === rev);
    if (hit) return hit.obj;
    const obj = this.decode(def, value, rev);
    if (!decoded) this.watchDecoded.set(value, (decoded = []));
    decoded.push({ def, rev, obj });
    return obj;
  }

  private toWatchEvent(
    def: ResourceDefinition,
    e: StoreEvent,
    filter: Filter | undefined,
  ): WatchEvent | undefined {
    if (e.type === 'delete') {
      const prev = this.decodeShared(def, e.prev.value, e.revision);
      if (filter && !filter(prev)) return undefined;
      return { type: 'DELETED', object: prev, revision: e.revision };
    }
    const obj = this.decodeShared(def, e.kv.value, e.kv.modRevision);
    const matches = !filter || filter(obj);
    const prevMatched = e.prev
      ? !filter || filter(this.decodeShared(def, e.prev.value, e.prev.modRevision))
      : false;
    if (matches) return { type: prevMatched ? 'MODIFIED' : 'ADDED', object: obj, revision: e.kv.modRevision };
    if (prevMatched) return { type: 'DELETED', object: obj, revision: e.kv.modRevision };
    return undefined;
  }
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string')
      throw new Error('bad');
    return t;
  } catch {
    throw E.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

export function newUid(): string {
  return randomUUID();
}
