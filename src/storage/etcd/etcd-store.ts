import { CompareResult, CompareTarget, Etcd3, GRPCResourceExhastedError, isRecoverableError } from 'etcd3';
import type { IDuplexStream, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import { Backoff, sleep } from '../../util/backoff.js';
import { WatchQueue } from '../watch-queue.js';
import { StoreError, checkKey, checkValue, errors, prefixEnd } from '../store.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent } from '../store.js';

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Prepended to every key in etcd. Default `/registry/`, as in Kubernetes. */
  prefix?: string;
  /** How long `EtcdStore.open` waits for etcd to answer. Default 5 s. */
  dialTimeoutMs?: number;
  /** Deadline of a single RPC. Default 15 s. */
  requestTimeoutMs?: number;
  /**
   * How long an operation (or a watch reconnecting) keeps retrying transient failures, such as a leader
   * election or a dead member, before it fails with Unavailable. Default 15 s.
   */
  retryTimeoutMs?: number;
}

/** Requests are bounded by etcd's --max-request-bytes; responses (an unpaginated list) by nothing else. */
const MAX_SEND_BYTES = 64 * 1024 * 1024;
const MAX_RECEIVE_BYTES = 2 ** 31 - 1;
const ZERO_KEY = Buffer.from([0]);
const COMPACTED_MESSAGE = 'required revision has been compacted';
const FUTURE_MESSAGE = 'required revision is a future revision';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * etcd3's recoverable gRPC errors, plus cockatiel's open-circuit error once a host has failed repeatedly.
 * Resource exhaustion (etcd's space quota, an oversized message) does not go away by retrying.
 */
function isTransient(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof GRPCResourceExhastedError) return false;
  return isRecoverableError(err) || (err as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true;
}

/**
 * A Store on etcd v3. Each write is one etcd transaction; revisions are etcd's own, so the
 * API server's resourceVersions are exactly what `etcdctl` shows.
 */
export class EtcdStore implements Store {
  readonly backend = 'etcd';
  readonly endpoints: readonly string[];
  readonly prefix: string;
  private readonly client: Etcd3;
  private readonly prefixBytes: Buffer;
  private readonly dialTimeoutMs: number;
  private readonly retryTimeoutMs: number;
  /** The highest compaction this client has made or been told of; etcd has no cheap call that returns it. */
  private knownCompacted = 0;
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;

  constructor(opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new Error('EtcdStore needs at least one endpoint');
    this.endpoints = [...opts.endpoints];
    this.prefix = opts.prefix ?? '/registry/';
    this.prefixBytes = Buffer.from(this.prefix);
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 5_000;
    this.retryTimeoutMs = opts.retryTimeoutMs ?? 15_000;
    const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.client = new Etcd3({
      hosts: [...this.endpoints],
      grpcOptions: {
        'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
        'grpc.max_send_message_length': MAX_SEND_BYTES,
        // Finds members that vanish without closing their connections (etcd allows pings every 5 s).
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    });
  }

  /** Connects and checks that etcd answers, failing with Unavailable within `dialTimeoutMs` if not. */
  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(opts);
    const deadline = Date.now() + store.dialTimeoutMs;
    try {
      await store.rpc(
        () => store.client.kv.range({ key: store.probeKey(), count_only: true }, { deadline }),
        store.dialTimeoutMs,
      );
    } catch (err) {
      await store.close();
      throw new StoreError(
        'Unavailable',
        `cannot reach etcd at ${store.endpoints.join(', ')}: ${messageOf(err)}`,
      );
    }
    return store;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.ensureOpen();
    checkKey(key);
    try {
      const res = await this.rpc(() => this.client.kv.range({ key: this.etcdKey(key) }));
      const kv = res.kvs[0];
      return kv && this.toKV(kv);
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen();
    const [rangeStart, rangeEnd] = this.range(prefix);
    let key = rangeStart;
    if (opts.continueFrom !== undefined) {
      const after = Buffer.from(`${this.prefix}${opts.continueFrom}\0`);
      if (Buffer.compare(after, key) > 0) key = after;
    }
    const atRevision = opts.atRevision && opts.atRevision > 0 ? opts.atRevision : 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    try {
      const res = await this.rpc(() =>
        this.client.kv.range({ key, range_end: rangeEnd, limit, revision: atRevision }),
      );
      return {
        items: res.kvs.map((kv) => this.toKV(kv)),
        revision: atRevision || Number(res.header.revision),
        more: res.more,
      };
    } catch (err) {
      throw await this.toStoreError(err, atRevision);
    }
  }

  async create(key: string, value: Buffer): Promise<number> {
    this.ensureOpen();
    checkKey(key);
    checkValue(key, value);
    const k = this.etcdKey(key);
    try {
      const res = await this.rpc(() =>
        this.client.kv.txn({
          compare: [
            { key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 },
          ],
          success: [{ request_put: { key: k, value } }],
        }),
      );
      if (!res.succeeded) throw errors.keyExists(key);
      return Number(res.header.revision);
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<number> {
    this.ensureOpen();
    checkKey(key);
    checkValue(key, value);
    // A missing key has mod_revision 0, so comparing against 0 would create it.
    if (!(expectedModRevision > 0)) throw await this.mismatch(key, expectedModRevision);
    const k = this.etcdKey(key);
    try {
      const res = await this.rpc(() =>
        this.client.kv.txn({
          compare: [
            {
              key: k,
              target: CompareTarget.Mod,
              result: CompareResult.Equal,
              mod_revision: expectedModRevision,
            },
          ],
          success: [{ request_put: { key: k, value } }],
          failure: [{ request_range: { key: k, keys_only: true } }],
        }),
      );
      if (!res.succeeded)
        throw this.mismatchFrom(key, expectedModRevision, res.responses[0]?.response_range?.kvs[0]);
      return Number(res.header.revision);
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    this.ensureOpen();
    checkKey(key);
    const k = this.etcdKey(key);
    if (expectedModRevision === undefined) {
      try {
        // Deleting nothing does not bump etcd's revision, so no compare is needed.
        const res = await this.rpc(() => this.client.kv.deleteRange({ key: k, prev_kv: true }));
        const prev = res.prev_kvs[0];
        if (!prev) throw errors.notFound(key);
        return { revision: Number(res.header.revision), prev: this.toKV(prev) };
      } catch (err) {
        throw await this.toStoreError(err);
      }
    }
    if (!(expectedModRevision > 0)) throw await this.mismatch(key, expectedModRevision);
    try {
      const res = await this.rpc(() =>
        this.client.kv.txn({
          compare: [
            {
              key: k,
              target: CompareTarget.Mod,
              result: CompareResult.Equal,
              mod_revision: expectedModRevision,
            },
          ],
          success: [{ request_delete_range: { key: k, prev_kv: true } }],
          failure: [{ request_range: { key: k, keys_only: true } }],
        }),
      );
      if (!res.succeeded)
        throw this.mismatchFrom(key, expectedModRevision, res.responses[0]?.response_range?.kvs[0]);
      const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
      // The compare proved the key exists; a missing prev_kv would be an etcd bug.
      if (!prev)
        throw new StoreError('Unavailable', `etcd deleted ${JSON.stringify(key)} without its previous value`);
      return { revision: Number(res.header.revision), prev: this.toKV(prev) };
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  watch(prefix: string, fromRevision: number): Watch {
    this.ensureOpen();
    const [key, rangeEnd] = this.range(prefix);
    const w = new EtcdWatch(this.watchHost, key, rangeEnd, Math.max(0, Math.floor(fromRevision) || 0));
    this.watches.add(w);
    return w.queue;
  }

  async currentRevision(): Promise<number> {
    this.ensureOpen();
    try {
      const res = await this.rpc(() => this.client.kv.range({ key: this.probeKey(), count_only: true }));
      return Number(res.header.revision);
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    if (!(revision > 0)) throw errors.compacted(revision, await this.compactedRevision());
    try {
      // A physical compaction can take a while on a big database: allow more than one request timeout.
      await this.rpc(() =>
        this.client.kv.compact({ revision, physical: true }, { deadline: Date.now() + 10 * 60_000 }),
      );
      this.noteCompacted(revision);
    } catch (err) {
      throw await this.toStoreError(err, revision);
    }
  }

  /**
   * The revision of the latest compaction anyone made. etcd only reveals it through errors, so this probes:
   * a read at revision r fails iff r is below it. One round trip when this client already knows it;
   * otherwise a binary search between what it knows and the current revision.
   */
  async compactedRevision(): Promise<number> {
    this.ensureOpen();
    try {
      const known = this.knownCompacted;
      if (await this.readableAt(Math.max(known, 1))) return known;
      let lo = Math.max(known, 1) + 1;
      let hi = await this.currentRevision();
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (await this.readableAt(mid)) hi = mid;
        else lo = mid + 1;
      }
      this.noteCompacted(lo);
      return this.knownCompacted;
    } catch (err) {
      throw await this.toStoreError(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.queue.fail(errors.closed());
    this.client.close();
  }

  /** What a watch needs from its store, kept off the public surface. */
  private readonly watchHost: WatchHost = {
    isClosed: () => this.closed,
    retryWindowMs: () => this.retryTimeoutMs,
    openStream: () => this.client.watchClient.watch(),
    forget: (w) => this.watches.delete(w),
    noteCompacted: (revision) => this.noteCompacted(revision),
    knownCompacted: () => this.knownCompacted,
    toEvent: (ev) => this.toEvent(ev),
    unavailable: (what, err) => this.unavailable(what, err),
  };

  private noteCompacted(revision: number): void {
    if (revision > this.knownCompacted) this.knownCompacted = revision;
  }

  /** A store-level event, or undefined when etcd could not supply a previous value (compacted). */
  private toEvent(ev: IEvent): WatchEvent | undefined {
    if (ev.type === 'Delete') {
      if (!ev.prev_kv) return undefined;
      return {
        type: 'delete',
        key: this.stripKey(ev.kv.key),
        revision: Number(ev.kv.mod_revision),
        prev: this.toKV(ev.prev_kv),
      };
    }
    const kv = this.toKV(ev.kv);
    if (ev.prev_kv) return { type: 'put', kv, prev: this.toKV(ev.prev_kv) };
    // Version 1 is a creation; a later version without its prev_kv lost it to compaction.
    return ev.kv.version === '1' ? { type: 'put', kv } : undefined;
  }

  private unavailable(what: string, err: unknown): StoreError {
    return new StoreError('Unavailable', `${what} (etcd at ${this.endpoints.join(', ')}): ${messageOf(err)}`);
  }

  // ---- private helpers ----

  private ensureOpen(): void {
    if (this.closed) throw errors.closed();
  }

  private etcdKey(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private stripKey(key: Buffer): string {
    return key.toString('utf8', this.prefixBytes.length);
  }

  /** A key that (almost certainly) holds nothing, for requests that only want the response header. */
  private probeKey(): Buffer {
    return this.prefixBytes.length > 0 ? this.prefixBytes : ZERO_KEY;
  }

  private range(prefix: string): [Buffer, Buffer] {
    const start = Buffer.from(this.prefix + prefix);
    if (start.length === 0) return [ZERO_KEY, ZERO_KEY];
    return [start, prefixEnd(start) ?? ZERO_KEY];
  }

  private toKV(kv: IKeyValue): KeyValue {
    return {
      key: this.stripKey(kv.key),
      value: kv.value,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private mismatchFrom(key: string, expected: number, current: IKeyValue | undefined): StoreError {
    return current ? errors.conflict(key, expected, Number(current.mod_revision)) : errors.notFound(key);
  }

  /** The error for a compare-and-swap whose expected revision can never match. */
  private async mismatch(key: string, expected: number): Promise<StoreError> {
    try {
      const res = await this.rpc(() => this.client.kv.range({ key: this.etcdKey(key), keys_only: true }));
      return this.mismatchFrom(key, expected, res.kvs[0]);
    } catch (err) {
      return this.toStoreError(err);
    }
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.rpc(() => this.client.kv.range({ key: this.probeKey(), count_only: true, revision }));
      return true;
    } catch (err) {
      if (messageOf(err).includes(COMPACTED_MESSAGE)) return false;
      throw err;
    }
  }

  /**
   * Runs one RPC. etcd3 already retries a failed call on other members a few times; this rides out
   * longer trouble (leader elections, a member restarting) by retrying transient errors with backoff.
   * As with any etcd client, a write whose outcome was unknown (connection lost mid-call) may have been
   * applied before its retry, which then reports KeyExists or Conflict.
   */
  private async rpc<T>(call: () => Promise<T>, retryForMs = this.retryTimeoutMs): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err) || this.closed) throw err;
      const giveUpAt = Date.now() + retryForMs;
      const backoff = new Backoff();
      let last: unknown = err;
      for (
        let delay = backoff.next();
        Date.now() + delay < giveUpAt && !this.closed;
        delay = backoff.next()
      ) {
        await sleep(delay);
        if (this.closed) break;
        try {
          return await call();
        } catch (retryErr) {
          if (!isTransient(retryErr)) throw retryErr;
          last = retryErr;
        }
      }
      throw last;
    }
  }

  /** Maps an etcd3 error; `requested` is the revision the call asked for, if any. */
  private async toStoreError(err: unknown, requested?: number): Promise<StoreError> {
    if (err instanceof StoreError) return err;
    if (this.closed) return errors.closed();
    const message = messageOf(err);
    if (requested !== undefined && message.includes(COMPACTED_MESSAGE)) {
      const compacted = await this.compactedRevision().catch(() => this.knownCompacted);
      return errors.compacted(requested, compacted);
    }
    if (requested !== undefined && message.includes(FUTURE_MESSAGE)) {
      return errors.future(requested, await this.currentRevision().catch(() => 0));
    }
    if (message.includes('request is too large')) {
      return new StoreError('TooLarge', `etcd refused the request as too large: ${message}`);
    }
    return this.unavailable('etcd request failed', err);
  }
}

interface WatchHost {
  isClosed(): boolean;
  retryWindowMs(): number;
  openStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>>;
  forget(w: EtcdWatch): void;
  noteCompacted(revision: number): void;
  knownCompacted(): number;
  toEvent(ev: IEvent): WatchEvent | undefined;
  unavailable(what: string, err: unknown): StoreError;
}

/**
 * One store watch on its own etcd watch stream. etcd3's high-level Watcher is not used: it drops
 * `compact_revision` (a compacted start only surfaces as "Watcher canceled: "), and on reconnect it resumes
 * from the last response header's revision, which during catch-up is ahead of the events delivered so far.
 * This one resumes from the last revision it actually delivered.
 */
class EtcdWatch {
  readonly queue: WatchQueue;
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failingSince = 0;
  private readonly backoff = new Backoff();

  /** `after`: every event up to this revision has been delivered (or was not asked for). */
  constructor(
    private readonly host: WatchHost,
    private readonly key: Buffer,
    private readonly rangeEnd: Buffer,
    private after: number,
  ) {
    this.queue = new WatchQueue(after, () => this.stop());
    void this.connect();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    // Ending the stream makes etcd cancel the watcher on it.
    stream?.cancel();
    this.host.forget(this);
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await this.host.openStream();
    } catch (err) {
      this.lost(undefined, err);
      return;
    }
    if (this.stopped) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on('data', (res) => this.onResponse(stream, res));
    stream.on('error', (err) => this.lost(stream, err));
    stream.on('end', () => this.lost(stream, new Error('etcd ended the watch stream')));
    stream.write({
      create_request: {
        key: this.key,
        range_end: this.rangeEnd,
        // Start at `after` itself rather than after+1: etcd then refuses the watch exactly when
        // `after` is below the compacted revision, i.e. when an event we need (or its prev value) is gone.
        // The one extra revision is dropped below.
        start_revision: Math.max(this.after, 1),
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private onResponse(stream: IDuplexStream<IWatchRequest, IWatchResponse>, res: IWatchResponse): void {
    if (stream !== this.stream || this.stopped) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      if (compacted > 0) {
        this.host.noteCompacted(compacted);
        this.queue.fail(errors.compacted(this.after, compacted));
      } else {
        this.queue.fail(
          this.host.unavailable('etcd cancelled the watch', res.cancel_reason || 'no reason given'),
        );
      }
      return;
    }
    if (res.created) {
      this.failingSince = 0;
      this.backoff.reset();
      return;
    }
    if (res.events.length === 0) {
      // A progress notification: etcd sends these only once the watcher has caught up, so every event
      // up to the header revision has been delivered. Resuming from there avoids needless Compacted errors.
      const progress = Number(res.header.revision);
      if (progress > this.after) this.after = progress;
      return;
    }
    // etcd never splits a revision across responses, so comparing with the revision delivered before this
    // response drops what a reconnect replays while keeping every event of a multi-key transaction.
    const delivered = this.after;
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= delivered) continue;
      const event = this.host.toEvent(ev);
      if (!event) {
        this.queue.fail(errors.compacted(this.after, Math.max(this.host.knownCompacted(), rev)));
        return;
      }
      this.after = rev;
      this.queue.push(event);
      if (this.queue.closed) return;
    }
  }

  /** The stream broke (member died, connection lost): reconnect with backoff, from where we are. */
  private lost(stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined, err: unknown): void {
    if (this.stopped || stream !== this.stream) return;
    this.stream = undefined;
    stream?.cancel();
    if (this.host.isClosed()) {
      this.queue.fail(errors.closed());
      return;
    }
    const now = Date.now();
    if (this.failingSince === 0) this.failingSince = now;
    if (now - this.failingSince > this.host.retryWindowMs()) {
      this.queue.fail(this.host.unavailable('watch lost and could not be re-established', err));
      return;
    }
    this.retryTimer = setTimeout(() => void this.connect(), this.backoff.next());
  }
}
