/**
 * The revisioned key-value store every piece of cluster state lives in. The model is etcd v3's:
 * one cluster-wide revision counter, bumped by every write; each key remembers the revision that
 * created it and the one that last modified it; history is kept until compaction, so readers can list
 * at, and watch from, any revision that has not been compacted away.
 *
 * Keys are relative (`pods/default/web`); a backend may add its own prefix (etcd: `/registry/`).
 * Values are opaque bytes: the API server encodes (and encrypts) objects before they get here.
 */

/** Kubernetes' object size limit, which is etcd's default request limit: 1.5 MiB. */
export const MAX_VALUE_BYTES = 1536 * 1024;

export interface KeyValue {
  key: string;
  value: Buffer;
  /** Revision of the write that created this key (reset when a key is deleted and created again). */
  createRevision: number;
  /** Revision of the write that last changed this key. The API server's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Most items to return; 0 or absent means no limit. */
  limit?: number;
  /** Return only keys strictly after this one (the last key of the previous page). */
  continueFrom?: string;
  /** Read the snapshot at this revision instead of the latest one. */
  atRevision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the snapshot was taken at: pass it as `atRevision` for the next page. */
  revision: number;
  /** True when keys beyond this page remain in the snapshot. */
  more: boolean;
}

export type WatchEvent =
  | {
      type: 'put';
      kv: KeyValue;
      /** The value before this write; absent when the write created the key. */
      prev?: KeyValue;
    }
  | {
      type: 'delete';
      key: string;
      /** The revision of the delete itself. */
      revision: number;
      /** The value that was deleted. */
      prev: KeyValue;
    };

export function eventRevision(e: WatchEvent): number {
  return e.type === 'put' ? e.kv.modRevision : e.revision;
}

export function eventKey(e: WatchEvent): string {
  return e.type === 'put' ? e.kv.key : e.key;
}

/**
 * A running watch. Iterate it for events; each arrives once, in revision order. Iteration ends after
 * `close()`; it throws a StoreError when the watch cannot go on (compacted, overflowed, backend gone),
 * after which the caller resumes from the last revision it saw.
 */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): void;
}

export interface Store {
  /** The backend's name, for logs and benchmarks. */
  readonly backend: string;
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with KeyExists when the key is present. Resolves to the new revision. */
  create(key: string, value: Buffer): Promise<number>;
  /** Compare-and-swap on modRevision: fails with Conflict (or NotFound) when it does not match. */
  update(key: string, value: Buffer, expectedModRevision: number): Promise<number>;
  /** Resolves to the revision of the delete and the value deleted. */
  delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }>;
  /** Every change to keys under `prefix` with a revision greater than `fromRevision`. */
  watch(prefix: string, fromRevision: number): Watch;
  currentRevision(): Promise<number>;
  /** Forget history before `revision`; lists and watches that need it fail with Compacted. */
  compact(revision: number): Promise<void>;
  /** The revision of the most recent compaction (0 if none this store knows of). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export type StoreErrorCode =
  | 'KeyExists'
  | 'NotFound'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'TooLarge'
  | 'InvalidKey'
  | 'WatchOverflow'
  | 'Locked'
  | 'Closed'
  | 'Unavailable';

/** Errors are values: callers switch on `code`; the API server maps codes to Status reasons. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly key?: string,
    /** For Compacted: the compacted revision; for Conflict: the key's current modRevision. */
    readonly revision?: number,
  ) {
    super(message);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

export const errors = {
  keyExists: (key: string) => new StoreError('KeyExists', `key ${JSON.stringify(key)} already exists`, key),
  notFound: (key: string) => new StoreError('NotFound', `key ${JSON.stringify(key)} not found`, key),
  conflict: (key: string, expected: number, actual: number) =>
    new StoreError(
      'Conflict',
      `key ${JSON.stringify(key)} was modified at revision ${actual}, expected ${expected}`,
      key,
      actual,
    ),
  compacted: (requested: number, compacted: number) =>
    new StoreError(
      'Compacted',
      `required revision ${requested} has been compacted (compacted revision ${compacted})`,
      undefined,
      compacted,
    ),
  future: (requested: number, current: number) =>
    new StoreError(
      'FutureRevision',
      `required revision ${requested} is newer than the current revision ${current}`,
    ),
  tooLarge: (key: string, size: number) =>
    new StoreError(
      'TooLarge',
      `value for key ${JSON.stringify(key)} is ${size} bytes, over the limit of ${MAX_VALUE_BYTES} bytes`,
      key,
    ),
  closed: () => new StoreError('Closed', 'the store is closed'),
};

/** Keys are non-empty UTF-8 text without NUL; anything else is refused before it reaches a backend. */
export function checkKey(key: string): void {
  if (key.length === 0) throw new StoreError('InvalidKey', 'key must not be empty', key);
  if (key.includes('\0')) throw new StoreError('InvalidKey', 'key must not contain NUL', key);
  if (!key.isWellFormed()) throw new StoreError('InvalidKey', 'key must be well-formed Unicode', key);
}

export function checkValue(key: string, value: Buffer): void {
  if (value.length > MAX_VALUE_BYTES) throw errors.tooLarge(key, value.length);
}

/** Byte order of UTF-8 keys, which is the order etcd and SQLite's BINARY collation use. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The smallest byte string greater than every key with this prefix (etcd's range_end); undefined: no end. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}
