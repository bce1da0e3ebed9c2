import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { eventRevision, isStoreError } from '../../src/storage/store.js';
import { startEtcd } from '../support/etcd-harness.js';
import type { EtcdInstance } from '../support/etcd-harness.js';
import { runConformance, take } from './conformance.js';

let etcd: EtcdInstance | undefined;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

let n = 0;
/** Every store gets its own key prefix on the one etcd, so tests do not see each other's keys. */
const openStore = (prefix = `/registry-test-${++n}/`) =>
  EtcdStore.open({ endpoints: etcd!.endpoints, prefix });

runConformance('etcd', async () => {
  const store = await openStore();
  return { store, cleanup: () => store.close() };
});

void describe('etcd store', () => {
  void test('open fails with Unavailable, naming the endpoint, when nothing listens there', async () => {
    // A port that was free a moment ago: bound, then closed again.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const endpoint = `http://127.0.0.1:${port}`;
    await assert.rejects(EtcdStore.open({ endpoints: [endpoint], dialTimeoutMs: 1_000 }), (err: unknown) => {
      assert.ok(isStoreError(err, 'Unavailable'), String(err));
      assert.ok(err.message.includes(endpoint), err.message);
      return true;
    });
  });

  void test('compactedRevision learns of a compaction made by another client', async () => {
    const prefix = `/registry-test-${++n}/`;
    const a = await openStore(prefix);
    const b = await openStore(prefix);
    try {
      let rev = 0;
      for (let i = 0; i < 20; i++) rev = await a.create(`k/${i}`, Buffer.from(String(i)));
      await a.compact(rev - 3);
      assert.equal(await a.compactedRevision(), rev - 3);
      assert.equal(await b.compactedRevision(), rev - 3);
      await assert.rejects(b.list('k/', { atRevision: rev - 4 }), (err: unknown) => {
        assert.ok(isStoreError(err, 'Compacted'), String(err));
        assert.equal(err.revision, rev - 3);
        return true;
      });
      const w = b.watch('k/', rev - 5);
      await assert.rejects(take(w, 1, 10_000), (err: unknown) => {
        assert.ok(isStoreError(err, 'Compacted'), String(err));
        assert.equal(err.revision, rev - 3);
        return true;
      });
      await assert.rejects(a.compact(rev + 100), (err: unknown) => isStoreError(err, 'FutureRevision'));
    } finally {
      await a.close();
      await b.close();
    }
  });

  void test('keys live under the prefix and revisions are etcd revisions', async () => {
    const prefix = `/registry-test-${++n}/`;
    const s = await openStore(prefix);
    try {
      const rev = await s.create('pods/default/web', Buffer.from('x'));
      assert.equal(await s.currentRevision(), rev);
      const other = await openStore('');
      try {
        const got = await other.get(`${prefix}pods/default/web`);
        assert.equal(got?.modRevision, rev);
        assert.equal(got?.key, `${prefix}pods/default/web`);
      } finally {
        await other.close();
      }
    } finally {
      await s.close();
    }
  });
  void test('a watch and the store ride out an etcd restart', { timeout: 60_000 }, async () => {
    const s = await openStore();
    try {
      const w = s.watch('restart/', await s.currentRevision());
      const r1 = await s.create('restart/a', Buffer.from('1'));
      assert.deepEqual((await take(w, 1)).map(eventRevision), [r1]);
      await etcd!.member.stop();
      await etcd!.member.restart();
      const r2 = await s.update('restart/a', Buffer.from('2'), r1);
      const r3 = await s.create('restart/b', Buffer.from('x'));
      assert.deepEqual((await take(w, 2)).map(eventRevision), [r2, r3]);
      w.close();
    } finally {
      await s.close();
    }
  });
});
