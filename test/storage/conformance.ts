/**
 * The one conformance suite every Store backend must pass. Each backend's test file calls
 * runConformance with a factory that opens a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_VALUE_BYTES, eventKey, eventRevision, isStoreError } from '../../src/storage/store.js';
import type { Store, StoreErrorCode, Watch, WatchEvent } from '../../src/storage/store.js';

export interface OpenedStore {
  store: Store;
  cleanup: () => Promise<void>;
}

const b = (s: string) => Buffer.from(s);

async function rejectsWith(
  p: Promise<unknown> | (() => Promise<unknown>),
  code: StoreErrorCode,
): Promise<void> {
  await assert.rejects(typeof p === 'function' ? p() : p, (err: unknown) => {
    assert.ok(isStoreError(err), `expected StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** Reads `n` events from a watch; fails instead of hanging if they do not come within `deadlineMs`. */
export async function take(w: Watch, n: number, deadlineMs = 20_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  if (n === 0) return out;
  const it = w[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`watch gave ${out.length} of ${n} events in time`)),
      deadlineMs,
    );
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), deadline]);
      if (r.done) throw new Error(`watch ended after ${out.length} of ${n} events`);
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** A watch that must fail: either when opened or on its first read. */
async function watchFails(store: Store, prefix: string, from: number, code: StoreErrorCode): Promise<void> {
  await rejectsWith(async () => {
    const w = store.watch(prefix, from);
    try {
      await take(w, 1, 10_000);
    } finally {
      w.close();
    }
  }, code);
}

function assertOrdered(events: WatchEvent[]): void {
  for (let i = 1; i < events.length; i++)
    assert.ok(
      eventRevision(events[i]!) > eventRevision(events[i - 1]!),
      `event ${i} revision ${eventRevision(events[i]!)} after ${eventRevision(events[i - 1]!)}`,
    );
}

export function runConformance(name: string, open: () => Promise<OpenedStore>): void {
  const withStore = (title: string, fn: (s: Store) => Promise<void>): void => {
    test(title, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`store conformance: ${name}`, () => {
    withStore('create, get, update, delete with revisions', async (s) => {
      const r1 = await s.create('things/a', b('one'));
      assert.equal(await s.currentRevision(), r1);
      const got = await s.get('things/a');
      assert.deepEqual(got, { key: 'things/a', value: b('one'), createRevision: r1, modRevision: r1 });
      await rejectsWith(s.create('things/a', b('again')), 'KeyExists');

      const r2 = await s.update('things/a', b('two'), r1);
      assert.ok(r2 > r1);
      assert.deepEqual(await s.get('things/a'), {
        key: 'things/a',
        value: b('two'),
        createRevision: r1,
        modRevision: r2,
      });
      await rejectsWith(s.update('things/a', b('stale'), r1), 'Conflict');
      await rejectsWith(s.update('things/missing', b('x'), r1), 'NotFound');
      await rejectsWith(s.delete('things/a', r1), 'Conflict');
      await rejectsWith(s.delete('things/missing'), 'NotFound');

      const d = await s.delete('things/a', r2);
      assert.ok(d.revision > r2);
      assert.deepEqual(d.prev, { key: 'things/a', value: b('two'), createRevision: r1, modRevision: r2 });
      assert.equal(await s.get('things/a'), undefined);
      assert.equal(await s.currentRevision(), d.revision);

      const r4 = await s.create('things/a', b('reborn'));
      const reborn = await s.get('things/a');
      assert.equal(reborn?.createRevision, r4, 'a key created again gets a new createRevision');
      const d2 = await s.delete('things/a');
      assert.ok(d2.revision > r4);
    });

    withStore('a failed write does not consume a revision', async (s) => {
      const r1 = await s.create('k', b('v'));
      await rejectsWith(s.create('k', b('v')), 'KeyExists');
      await rejectsWith(s.update('k', b('v'), r1 + 100), 'Conflict');
      assert.equal(await s.currentRevision(), r1);
    });

    withStore(
      'conflict race: exactly one of many writers with the same expected revision wins',
      async (s) => {
        const r = await s.create('race/x', b('0'));
        for (let round = 0; round < 5; round++) {
          const cur = (await s.get('race/x'))!.modRevision;
          const results = await Promise.allSettled(
            Array.from({ length: 24 }, (_, i) => s.update('race/x', b(`w${round}-${i}`), cur)),
          );
          const won = results.filter((x) => x.status === 'fulfilled');
          assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
          for (const x of results)
            if (x.status === 'rejected') assert.ok(isStoreError(x.reason, 'Conflict'), String(x.reason));
        }
        const creates = await Promise.allSettled(
          Array.from({ length: 16 }, () => s.create('race/new', b('n'))),
        );
        assert.equal(creates.filter((x) => x.status === 'fulfilled').length, 1);
        const deletes = await Promise.allSettled(Array.from({ length: 16 }, () => s.delete('race/new')));
        assert.equal(deletes.filter((x) => x.status === 'fulfilled').length, 1);
        assert.ok(r > 0);
      },
    );

    withStore('list: prefix, byte order, limit and continue', async (s) => {
      const keys = ['p/b', 'p/a', 'p/c/1', 'p/c/0', 'p0', 'p/A', 'q/a', 'o/z'];
      for (const k of keys) await s.create(k, b(k));
      const all = await s.list('p/');
      assert.deepEqual(
        all.items.map((i) => i.key),
        ['p/A', 'p/a', 'p/b', 'p/c/0', 'p/c/1'],
      );
      assert.equal(all.more, false);
      assert.equal(all.revision, await s.currentRevision());
      assert.deepEqual(
        (await s.list('')).items.map((i) => i.key),
        ['o/z', 'p/A', 'p/a', 'p/b', 'p/c/0', 'p/c/1', 'p0', 'q/a'],
      );
      const page1 = await s.list('p/', { limit: 2 });
      assert.deepEqual(
        page1.items.map((i) => i.key),
        ['p/A', 'p/a'],
      );
      assert.equal(page1.more, true);
      const page2 = await s.list('p/', { limit: 2, continueFrom: 'p/a', atRevision: page1.revision });
      assert.deepEqual(
        page2.items.map((i) => i.key),
        ['p/b', 'p/c/0'],
      );
      assert.equal(page2.more, true);
      const page3 = await s.list('p/', { limit: 2, continueFrom: 'p/c/0', atRevision: page1.revision });
      assert.deepEqual(
        page3.items.map((i) => i.key),
        ['p/c/1'],
      );
      assert.equal(page3.more, false);
      const exact = await s.list('p/', { limit: 5 });
      assert.equal(exact.items.length, 5);
      assert.equal(exact.more, false);
      assert.deepEqual((await s.list('nothing/')).items, []);
    });

    withStore('list at a past revision sees the state of that revision', async (s) => {
      const r1 = await s.create('h/a', b('a1'));
      await s.create('h/b', b('b1'));
      const snap = await s.currentRevision();
      await s.update('h/a', b('a2'), r1);
      await s.delete('h/b');
      await s.create('h/c', b('c1'));
      const past = await s.list('h/', { atRevision: snap });
      assert.equal(past.revision, snap);
      assert.deepEqual(
        past.items.map((i) => [i.key, i.value.toString()]),
        [
          ['h/a', 'a1'],
          ['h/b', 'b1'],
        ],
      );
      const now = await s.list('h/');
      assert.deepEqual(
        now.items.map((i) => [i.key, i.value.toString()]),
        [
          ['h/a', 'a2'],
          ['h/c', 'c1'],
        ],
      );
      await rejectsWith(s.list('h/', { atRevision: (await s.currentRevision()) + 1000 }), 'FutureRevision');
    });

    withStore('paginated list is one consistent snapshot while writes go on', async (s) => {
      const n = 120;
      const revs = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const k = `pg/${String(i).padStart(4, '0')}`;
        revs.set(k, await s.create(k, b(`v0-${i}`)));
      }
      const expected = (await s.list('pg/')).items.map((i) => [i.key, i.value.toString()]);
      let stop = false;
      // Writers keep changing, deleting and adding keys in the range while pages are read.
      const writer = (async () => {
        let i = 0;
        while (!stop) {
          const k = `pg/${String(i % n).padStart(4, '0')}`;
          const cur = await s.get(k);
          if (cur && i % 3 === 0) await s.delete(k, cur.modRevision).catch(() => {});
          else if (cur) await s.update(k, b(`v1-${i}`), cur.modRevision).catch(() => {});
          else await s.create(k, b(`v2-${i}`)).catch(() => {});
          await s.create(`pg/${String(i % n).padStart(4, '0')}-new-${i}`, b('new'));
          i++;
          // A backend that answers synchronously would otherwise never let the reader's timer fire.
          await new Promise((r) => setImmediate(r));
        }
      })();
      const got: [string, string][] = [];
      let page = await s.list('pg/', { limit: 7 });
      const rev = page.revision;
      for (;;) {
        got.push(...page.items.map((i): [string, string] => [i.key, i.value.toString()]));
        if (!page.more) break;
        await new Promise((r) => setTimeout(r, 2));
        page = await s.list('pg/', { limit: 7, continueFrom: page.items.at(-1)!.key, atRevision: rev });
        assert.equal(page.revision, rev);
      }
      stop = true;
      await writer;
      assert.ok((await s.currentRevision()) > rev + 10, 'writes happened during the listing');
      assert.deepEqual(got, expected);
    });

    withStore('watch: prev values, deletes, prefix filter', async (s) => {
      const start = await s.currentRevision();
      const w = s.watch('w/', start);
      const r1 = await s.create('w/a', b('1'));
      await s.create('other/a', b('x'));
      const r2 = await s.update('w/a', b('2'), r1);
      const d = await s.delete('w/a');
      const ev = await take(w, 3);
      w.close();
      assert.deepEqual(ev[0], {
        type: 'put',
        kv: { key: 'w/a', value: b('1'), createRevision: r1, modRevision: r1 },
      });
      assert.deepEqual(ev[1], {
        type: 'put',
        kv: { key: 'w/a', value: b('2'), createRevision: r1, modRevision: r2 },
        prev: { key: 'w/a', value: b('1'), createRevision: r1, modRevision: r1 },
      });
      assert.deepEqual(ev[2], {
        type: 'delete',
        key: 'w/a',
        revision: d.revision,
        prev: { key: 'w/a', value: b('2'), createRevision: r1, modRevision: r2 },
      });
    });

    withStore('watch resumes from a revision: replay, then live, no gaps or duplicates', async (s) => {
      const revs: number[] = [];
      for (let i = 0; i < 10; i++) revs.push(await s.create(`r/${i}`, b(String(i))));
      const w = s.watch('r/', revs[4]!);
      const replayed = await take(w, 5);
      assert.deepEqual(replayed.map(eventRevision), revs.slice(5));
      const live: number[] = [];
      for (let i = 10; i < 15; i++) live.push(await s.create(`r/${i}`, b(String(i))));
      const more = await take(w, 5);
      assert.deepEqual(more.map(eventRevision), live);
      w.close();
      // A watch from the current revision sees only what comes after it.
      const w2 = s.watch('r/', await s.currentRevision());
      const next = await s.create('r/last', b('x'));
      assert.deepEqual((await take(w2, 1)).map(eventRevision), [next]);
      w2.close();
    });

    withStore('watch ordering under many concurrent writers and watchers', async (s) => {
      const writers = 16;
      const perWriter = 40;
      const from = await s.currentRevision();
      const watchers = Array.from({ length: 4 }, () => s.watch('c/', from));
      const written: number[] = [];
      let lateWatch: Watch | undefined;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          let rev = 0;
          for (let i = 0; i < perWriter; i++) {
            const key = `c/${w}`;
            rev = i === 0 ? await s.create(key, b(`${w}:${i}`)) : await s.update(key, b(`${w}:${i}`), rev);
            written.push(rev);
            await s.create(`noise/${w}/${i}`, b('n'));
            // A watcher that joins halfway must still see everything after its start revision.
            if (w === 0 && i === perWriter / 2) lateWatch = s.watch('c/', from);
          }
        }),
      );
      const total = writers * perWriter;
      written.sort((x, y) => x - y);
      for (const w of [...watchers, lateWatch!]) {
        const ev = await take(w, total);
        w.close();
        assertOrdered(ev);
        assert.deepEqual(ev.map(eventRevision), written);
        for (const e of ev) assert.ok(eventKey(e).startsWith('c/'));
        // Per key, each update's prev is exactly the previous event of that key.
        const last = new Map<string, number>();
        for (const e of ev) {
          assert.equal(e.type, 'put');
          if (e.type !== 'put') continue;
          assert.equal(e.prev?.modRevision, last.get(e.kv.key));
          last.set(e.kv.key, e.kv.modRevision);
        }
      }
    });

    withStore('compaction: old revisions fail with Compacted, recent ones still work', async (s) => {
      const r1 = await s.create('cp/a', b('a1'));
      const r2 = await s.update('cp/a', b('a2'), r1);
      await s.create('cp/b', b('b1'));
      await s.delete('cp/b');
      const r5 = await s.update('cp/a', b('a3'), r2);
      await s.create('cp/c', b('c1'));
      const compactAt = r5;
      await s.compact(compactAt);
      assert.ok((await s.compactedRevision()) >= compactAt);
      await rejectsWith(s.list('cp/', { atRevision: r1 }), 'Compacted');
      await watchFails(s, 'cp/', r1, 'Compacted');
      await rejectsWith(s.compact(r2), 'Compacted');

      const at = await s.list('cp/', { atRevision: compactAt });
      assert.deepEqual(
        at.items.map((i) => [i.key, i.value.toString()]),
        [['cp/a', 'a3']],
      );
      assert.deepEqual(
        (await s.list('cp/')).items.map((i) => [i.key, i.value.toString()]),
        [
          ['cp/a', 'a3'],
          ['cp/c', 'c1'],
        ],
      );
      // Watching from the compaction point replays what came after it, with prev values intact.
      const w = s.watch('cp/', compactAt);
      const r7 = await s.update('cp/a', b('a4'), r5);
      const ev = await take(w, 2);
      w.close();
      assert.equal(ev[0]!.type, 'put');
      assert.equal(eventKey(ev[0]!), 'cp/c');
      assert.deepEqual(ev[1], {
        type: 'put',
        kv: { key: 'cp/a', value: b('a4'), createRevision: r1, modRevision: r7 },
        prev: { key: 'cp/a', value: b('a3'), createRevision: r1, modRevision: r5 },
      });
      assert.equal((await s.get('cp/a'))?.createRevision, r1, 'createRevision survives compaction');
    });

    withStore('large values up to the 1.5 MiB object limit, and a clear error over it', async (s) => {
      const big = Buffer.alloc(MAX_VALUE_BYTES, 7);
      big.write('start');
      const w = s.watch('big/', await s.currentRevision());
      const r = await s.create('big/one', big);
      const got = await s.get('big/one');
      assert.equal(got?.value.length, MAX_VALUE_BYTES);
      assert.ok(got.value.equals(big));
      assert.ok((await s.list('big/')).items[0]!.value.equals(big));
      const [ev] = await take(w, 1);
      w.close();
      assert.ok(ev?.type === 'put' && ev.kv.value.equals(big));
      const over = Buffer.alloc(MAX_VALUE_BYTES + 1);
      await rejectsWith(s.create('big/two', over), 'TooLarge');
      await rejectsWith(s.update('big/one', over, r), 'TooLarge');
      await assert.rejects(s.create('big/two', over), /over the limit of 1572864 bytes/);
      assert.equal(await s.get('big/two'), undefined);
      assert.equal(await s.currentRevision(), r);
    });

    withStore('keys with odd characters round-trip through get, list and watch', async (s) => {
      const odd = [
        'odd/with space',
        'odd/ünïcödé',
        'odd/日本語/名前',
        'odd/emoji-🚀',
        'odd/percent%2Fslash',
        'odd/../dots',
        'odd/quote"\'`',
        'odd/new\nline',
        'odd/tab\there',
        'odd/trailing/',
        'odd//double',
        'odd/back\\slash',
        'odd/\u007f\u0001',
        `odd/${'x'.repeat(2000)}`,
      ];
      const w = s.watch('odd/', await s.currentRevision());
      for (const k of odd) await s.create(k, b(k));
      for (const k of odd) assert.equal((await s.get(k))?.value.toString(), k);
      const listed = (await s.list('odd/')).items.map((i) => i.key);
      const byteOrder = [...odd].sort((x, y) => Buffer.compare(b(x), b(y)));
      assert.deepEqual(listed, byteOrder);
      assert.deepEqual(
        (await s.list('odd/日本語/')).items.map((i) => i.key),
        ['odd/日本語/名前'],
      );
      const ev = await take(w, odd.length);
      w.close();
      assert.deepEqual(ev.map(eventKey), odd);
      for (const bad of ['', 'nul\0byte', 'lone\ud800surrogate'])
        await rejectsWith(s.create(bad, b('x')), 'InvalidKey');
    });

    withStore('a closed store refuses work and ends its watches', async (s) => {
      const w = s.watch('z/', await s.currentRevision());
      const pending = take(w, 1, 10_000);
      await s.close();
      await rejectsWith(pending, 'Closed');
      await rejectsWith(s.get('z/a'), 'Closed');
      await rejectsWith(s.create('z/a', b('x')), 'Closed');
    });
  });
}
