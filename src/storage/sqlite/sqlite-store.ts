import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LocalWatchHub } from '../watch-queue.js';
import { StoreError, checkKey, checkValue, errors, prefixEnd } from '../store.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent } from '../store.js';
import { SCHEMA, SQL } from './schema.js';
import type { LogRow } from './schema.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its folder is created if missing. */
  path: string;
  /**
   * `full` (default): every commit is fsynced, so an acknowledged write survives power loss.
   * `normal`: commits reach the OS but are not fsynced; they survive a crash of the process only.
   */
  synchronous?: 'full' | 'normal';
  /** How many undelivered events a watcher may hold (see WatchQueue). */
  watchBuffer?: number;
  /** Revisions deleted per transaction while compacting, so writers are never held up for long. */
  compactBatch?: number;
}

type WriteOp =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface Pending {
  op: WriteOp;
  resolve: (r: { revision: number; prev: KeyValue | undefined }) => void;
  reject: (e: unknown) => void;
}

const kb = (key: string) => Buffer.from(key, 'utf8');

function toKV(r: Pick<LogRow, 'key' | 'rev' | 'create_rev' | 'value'>): KeyValue {
  return { key: r.key.toString('utf8'), value: r.value!, createRevision: r.create_rev, modRevision: r.rev };
}

/** Wraps driver failures (disk full, I/O errors) as Unavailable; store errors pass through. */
function asStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  return new StoreError('Unavailable', `sqlite: ${e.code ?? 'error'}: ${e.message ?? String(err)}`);
}

/**
 * The default backend: an embedded SQLite database in WAL mode. The table `log` holds one row per
 * revision (the history, compacted in the background); `live` maps each existing key to its latest
 * revision. Writes that arrive in the same turn of the event loop share one transaction and one
 * fsync, and are acknowledged only after it commits.
 */
export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;
  private readonly stmt: { [K in keyof typeof SQL]: Database.Statement };
  private readonly hub: LocalWatchHub;
  private rev: number;
  private compactRev: number;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private compacting: Promise<void> | undefined;
  private readonly compactBatch: number;
  /** Counters: how many writes were committed in how many transactions (group commit at work). */
  readonly stats = { writes: 0, commits: 0 };

  constructor(readonly options: SqliteStoreOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.hub = new LocalWatchHub(options.watchBuffer);
    this.compactBatch = options.compactBatch ?? 5000;
    this.db = new Database(options.path, { timeout: 200 });
    try {
      // One process owns the database: exclusive locking keeps a second server out, and lets SQLite
      // keep the WAL index in process memory.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (err) {
      this.db.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        let owner = '';
        try {
          owner = ` (process ${readFileSync(`${options.path}.owner`, 'utf8').trim()})`;
        } catch {
          // no owner file: the holder is not a k8ts store
        }
        throw new StoreError('Locked', `the database ${options.path} is in use by another process${owner}`);
      }
      throw asStoreError(err);
    }
    writeFileSync(`${options.path}.owner`, `${process.pid}\n`);
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // After each checkpoint the WAL is cut back to this size, so it cannot keep the size of a burst.
    this.db.pragma('journal_size_limit = 67108864');
    this.db.pragma('wal_autocheckpoint = 1000');
    this.db.exec(SCHEMA);
    this.stmt = Object.fromEntries(
      Object.entries(SQL).map(([name, sql]) => [name, this.db.prepare(sql)]),
    ) as typeof this.stmt;
    const meta = this.stmt.getMeta.get('compact_rev') as { value: number } | undefined;
    this.compactRev = meta?.value ?? 0;
    const max = this.stmt.maxRev.get() as { rev: number | null };
    this.rev = Math.max(max.rev ?? 0, this.compactRev);
  }

  private checkOpen(): void {
    if (this.closed) throw errors.closed();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    checkKey(key);
    const row = this.stmt.getLive.get(kb(key)) as LogRow | undefined;
    return row && toKV(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const at = opts.atRevision || this.rev;
    if (at > this.rev) throw errors.future(at, this.rev);
    if (at < this.compactRev) throw errors.compacted(at, this.compactRev);
    const p = kb(prefix);
    let start = p;
    if (opts.continueFrom !== undefined) {
      const after = Buffer.concat([kb(opts.continueFrom), Buffer.from([0])]);
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const end = prefixEnd(p);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const fetch = limit < 0 ? -1 : limit + 1;
    let rows: LogRow[];
    if (at === this.rev) {
      rows = (
        end ? this.stmt.listLive.all(start, end, fetch) : this.stmt.listLiveOpen.all(start, fetch)
      ) as LogRow[];
    } else {
      rows = (
        end
          ? this.stmt.listAt.all({ start, end, at, limit: fetch })
          : this.stmt.listAtOpen.all({ start, at, limit: fetch })
      ) as LogRow[];
    }
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(toKV), revision: at, more };
  }

  async create(key: string, value: Buffer): Promise<number> {
    checkKey(key);
    checkValue(key, value);
    return (await this.enqueue({ kind: 'create', key, value })).revision;
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<number> {
    checkKey(key);
    checkValue(key, value);
    return (await this.enqueue({ kind: 'update', key, value, expected: expectedModRevision })).revision;
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    checkKey(key);
    const r = await this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
    return { revision: r.revision, prev: r.prev! };
  }

  private enqueue(op: WriteOp): Promise<{ revision: number; prev: KeyValue | undefined }> {
    this.checkOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued write in one transaction, then publishes the events and answers the callers. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const startRev = this.rev;
    const outcomes: ({ revision: number; prev: KeyValue | undefined } | StoreError)[] = [];
    const events: WatchEvent[] = [];
    try {
      this.db.transaction(() => {
        for (const { op } of batch) outcomes.push(this.apply(op, events));
      })();
    } catch (err) {
      this.rev = startRev;
      const e = asStoreError(err);
      for (const p of batch) p.reject(e);
      return;
    }
    this.stats.commits++;
    this.stats.writes += batch.length;
    this.hub.publish(events);
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o instanceof StoreError) p.reject(o);
      else p.resolve(o);
    });
  }

  /** One write inside the batch transaction. Precondition failures are returned, not thrown. */
  private apply(
    op: WriteOp,
    events: WatchEvent[],
  ): { revision: number; prev: KeyValue | undefined } | StoreError {
    const key = kb(op.key);
    const cur = this.stmt.getLive.get(key) as LogRow | undefined;
    const prev = cur && toKV(cur);
    if (op.kind === 'create') {
      if (prev) return errors.keyExists(op.key);
    } else {
      if (!prev) return errors.notFound(op.key);
      if (op.expected !== undefined && prev.modRevision !== op.expected)
        return errors.conflict(op.key, op.expected, prev.modRevision);
    }
    const rev = ++this.rev;
    if (op.kind === 'delete') {
      this.stmt.insertLog.run(rev, key, 0, prev!.modRevision, 1, null);
      this.stmt.deleteLive.run(key);
      events.push({ type: 'delete', key: op.key, revision: rev, prev: prev! });
    } else {
      const createRev = prev?.createRevision ?? rev;
      this.stmt.insertLog.run(rev, key, createRev, prev?.modRevision ?? 0, 0, op.value);
      this.stmt.upsertLive.run(key, rev);
      const kv: KeyValue = { key: op.key, value: op.value, createRevision: createRev, modRevision: rev };
      events.push(prev ? { type: 'put', kv, prev } : { type: 'put', kv });
    }
    return { revision: rev, prev };
  }

  watch(prefix: string, fromRevision: number): Watch {
    this.checkOpen();
    if (fromRevision < this.compactRev) throw errors.compacted(fromRevision, this.compactRev);
    if (fromRevision > this.rev) throw errors.future(fromRevision, this.rev);
    const p = kb(prefix);
    const end = prefixEnd(p);
    return this.hub.open(prefix, fromRevision, () => this.replay(p, end, fromRevision));
  }

  private *replay(start: Buffer, end: Buffer | undefined, from: number): Generator<WatchEvent> {
    const rows = (
      end ? this.stmt.historyAfter.iterate(from, start, end) : this.stmt.historyAfterOpen.iterate(from, start)
    ) as IterableIterator<LogRow & { p_rev: number | null; p_create_rev: number; p_value: Buffer | null }>;
    for (const r of rows) {
      const prev =
        r.p_rev === null
          ? undefined
          : toKV({ key: r.key, rev: r.p_rev, create_rev: r.p_create_rev, value: r.p_value });
      if (r.deleted) yield { type: 'delete', key: r.key.toString('utf8'), revision: r.rev, prev: prev! };
      else yield prev ? { type: 'put', kv: toKV(r), prev } : { type: 'put', kv: toKV(r) };
    }
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compactRev;
  }

  /**
   * Marks history before `revision` gone (reads of it fail from now on), then deletes the rows in
   * small transactions, yielding to the event loop between them so writes and reads go on.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw errors.future(revision, this.rev);
    if (revision <= this.compactRev) throw errors.compacted(revision, this.compactRev);
    // Rows before the previous compaction point survived it as their key's latest; a write since may
    // have replaced them, so the sweep starts at the oldest row, not at the previous point.
    const oldest = (this.stmt.minRev.get() as { rev: number | null }).rev ?? revision;
    this.compactRev = revision;
    this.stmt.setMeta.run('compact_rev', revision);
    const previous = this.compacting;
    const run = (async () => {
      await previous;
      for (let lo = oldest - 1; lo < revision && !this.closed; lo += this.compactBatch) {
        const range = { lo, hi: Math.min(lo + this.compactBatch, revision) };
        this.db.transaction(() => {
          this.stmt.compactSuperseded.run({ ...range, c: revision });
          this.stmt.compactTombstones.run(range);
        })();
        await new Promise((r) => setImmediate(r));
      }
    })();
    this.compacting = run;
    try {
      await run;
    } catch (err) {
      throw asStoreError(err);
    } finally {
      if (this.compacting === run) this.compacting = undefined;
    }
  }

  /** Sizes of the database and its WAL, in bytes, for tests and metrics. */
  fileSizes(): { db: number; wal: number; freePages: number } {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    let wal = 0;
    try {
      wal = readFileSync(`${this.options.path}-wal`).length;
    } catch {
      // no WAL file yet
    }
    return { db: pageSize * pages, wal, freePages: free };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pending.length) this.flush();
    this.closed = true;
    await this.compacting?.catch(() => {});
    this.hub.failAll(errors.closed());
    this.db.close();
  }
}
