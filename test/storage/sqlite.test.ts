import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { isStoreError } from '../../src/storage/store.js';
import { tempDir } from '../support/tmp.js';
import { runConformance, take } from './conformance.js';

const tmp = tempDir('k8ts-sqlite-');
after(() => tmp.remove());
let n = 0;
const freshPath = () => join(tmp.dir, `db-${++n}`, 'state.db');

runConformance('sqlite', async () => {
  const store = new SqliteStore({ path: freshPath() });
  return { store, cleanup: () => store.close() };
});

describe('sqlite store', () => {
  test('state, history and revisions survive a reopen', async () => {
    const path = freshPath();
    let s = new SqliteStore({ path });
    const r1 = await s.create('a', Buffer.from('1'));
    const r2 = await s.update('a', Buffer.from('2'), r1);
    await s.create('b', Buffer.from('x'));
    const d = await s.delete('b');
    await s.compact(r2);
    await s.close();

    s = new SqliteStore({ path });
    assert.equal(await s.currentRevision(), d.revision);
    assert.equal(await s.compactedRevision(), r2);
    assert.deepEqual(await s.get('a'), {
      key: 'a',
      value: Buffer.from('2'),
      createRevision: r1,
      modRevision: r2,
    });
    assert.equal(await s.get('b'), undefined);
    const w = s.watch('', r2);
    const r5 = await s.create('c', Buffer.from('y'));
    assert.ok(r5 > d.revision, 'revisions keep counting up after a reopen');
    const ev = await take(w, 3);
    w.close();
    assert.deepEqual(
      ev.map((e) => e.type),
      ['put', 'delete', 'put'],
    );
    await s.close();
  });

  test('concurrent writes share transactions (group commit)', async () => {
    const s = new SqliteStore({ path: freshPath() });
    await Promise.all(Array.from({ length: 64 }, (_, i) => s.create(`g/${i}`, Buffer.from(String(i)))));
    assert.equal(s.stats.writes, 64);
    assert.ok(s.stats.commits < 8, `64 concurrent writes took ${s.stats.commits} commits`);
    assert.equal((await s.list('g/')).items.length, 64);
    await s.close();
  });

  test('a second opener of the same database is refused with a clear error', async () => {
    const path = freshPath();
    const s = new SqliteStore({ path });
    await s.create('k', Buffer.from('v'));
    assert.throws(
      () => new SqliteStore({ path }),
      (err: unknown) =>
        isStoreError(err, 'Locked') &&
        err.message.includes('in use by another process') &&
        err.message.includes(String(process.pid)),
    );
    assert.equal((await s.get('k'))?.value.toString(), 'v', 'the first store is unharmed');
    await s.close();
  });

  test('another process cannot open a database in use; after it is killed, it can', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/sqlite-writer.js', import.meta.url));
    const path = freshPath();
    const child = spawn(process.execPath, [fixture, path, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'ready');
    assert.throws(
      () => new SqliteStore({ path }),
      (err: unknown) =>
        isStoreError(err, 'Locked') &&
        err.message === `the database ${path} is in use by another process (process ${child.pid})`,
    );
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const s = new SqliteStore({ path });
    assert.ok((await s.get('counter/0')) !== undefined);
    await s.close();
  });

  test('the database stays bounded under steady churn with compaction', async () => {
    const s = new SqliteStore({ path: freshPath() });
    const keys = 200;
    const value = Buffer.alloc(1024, 1);
    const revs: number[] = [];
    for (let k = 0; k < keys; k++) revs.push(await s.create(`churn/${k}`, value));
    const sizes: number[] = [];
    for (let round = 0; round < 24; round++) {
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, async (_, j) => {
            const k = (i + j + round * 7) % keys;
            revs[k] = await s.update(`churn/${k}`, value, revs[k]!);
          }),
        );
      }
      await s.compact((await s.currentRevision()) - 1000);
      const { db, wal } = s.fileSizes();
      sizes.push(db + wal);
    }
    // 24,000 writes of 1 KiB is 24 MiB of history without compaction; with it the files must level off.
    const early = sizes[5]!;
    const last = sizes.at(-1)!;
    assert.ok(last <= early * 1.5, `files grew from ${early} to ${last} bytes: ${sizes.join(', ')}`);
    assert.ok(last < 12 * 1024 * 1024, `files are ${last} bytes`);
    assert.equal((await s.list('churn/')).items.length, keys);
    await s.close();
  });

  test('every acknowledged write survives kill -9 in the middle of a write burst', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/sqlite-writer.js', import.meta.url));
    for (const killAfter of [300, 3000]) {
      const path = freshPath();
      const child = spawn(process.execPath, [fixture, path, '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, sig) => resolve(sig)),
      );
      const created = new Map<string, number>();
      const counters = new Map<number, number>();
      let acks = 0;
      // Nothing else may slow this reader down: the kill must land right behind the latest ack.
      for await (const line of createInterface({ input: child.stdout })) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'c') created.set(a!, Number(b));
        else if (kind === 'u') counters.set(Number(a), Number(b));
        if (kind !== 'ready' && ++acks >= killAfter) {
          child.kill('SIGKILL');
          break;
        }
      }
      assert.equal(await exited, 'SIGKILL');

      const s = new SqliteStore({ path });
      for (const [key, rev] of created) {
        const kv = await s.get(key);
        assert.ok(kv, `acknowledged ${key} (revision ${rev}) is missing after kill -9`);
        assert.equal(kv.modRevision, rev);
        const [, w, i] = key.split('/');
        assert.equal(kv.value.toString(), `value-${w}-${i}`);
      }
      for (const [w, i] of counters) {
        const kv = await s.get(`counter/${w}`);
        assert.ok(
          Number(kv?.value.toString()) >= i,
          `counter ${w} went back from ${i} to ${kv?.value.toString()}`,
        );
      }
      assert.ok((await s.currentRevision()) >= Math.max(...created.values()));
      await s.close();
      const db = new Database(path, { readonly: true });
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    }
  });
});
