import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { EtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { eventKey, eventRevision } from '../../src/storage/store.js';
import type { Watch } from '../../src/storage/store.js';
import { startEtcdCluster } from '../support/etcd-harness.js';
import type { EtcdCluster, EtcdMember } from '../support/etcd-harness.js';
import { take } from './conformance.js';

const run = promisify(execFile);
const b = (s: string) => Buffer.from(s);

let cluster: EtcdCluster | undefined;
before(async () => {
  cluster = await startEtcdCluster(3);
});
after(async () => {
  await cluster?.stop();
});

/** The member the others follow, asked of each running member through the maintenance API. */
async function findLeader(members: EtcdMember[]): Promise<EtcdMember> {
  const ids = new Map<string, EtcdMember>();
  let leaderId: string | undefined;
  for (const m of members.filter((x) => x.running)) {
    const client = new Etcd3({ hosts: m.clientUrl });
    try {
      const status = await client.maintenance.status();
      ids.set(status.header.member_id, m);
      leaderId = status.leader;
    } finally {
      client.close();
    }
  }
  const leader = leaderId && ids.get(leaderId);
  assert.ok(leader, 'the cluster has a leader');
  return leader;
}

void test('keys are laid out as /registry/<key> in etcd', { timeout: 60_000 }, async () => {
  const store = await EtcdStore.open({ endpoints: cluster!.endpoints });
  try {
    await store.create('layout/pods/default/web', b('{}'));
    await store.create('layout/services/default/api', b('{}'));
    const { stdout } = await run(
      'etcdctl',
      [`--endpoints=${cluster!.endpoints.join(',')}`, 'get', '--prefix', '/registry', '--keys-only'],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    const keys = stdout.split('\n').filter((l) => l.length > 0);
    assert.deepEqual(keys, ['/registry/layout/pods/default/web', '/registry/layout/services/default/api']);
    assert.deepEqual(
      (await store.list('layout/')).items.map((i) => i.key),
      ['layout/pods/default/web', 'layout/services/default/api'],
    );
  } finally {
    await store.close();
  }
});

void test(
  'watches replaying history survive losing their member part-way',
  { timeout: 120_000 },
  async (t) => {
    const store = await EtcdStore.open({ endpoints: cluster!.endpoints });
    const watches: Watch[] = [];
    try {
      const from = await store.currentRevision();
      const n = 10_000;
      const written: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          for (let i = next++; i < n; i = next++)
            written.push(await store.create(`catchup/${i}`, b(`v${i}`)));
        }),
      );
      written.sort((x, y) => x - y);

      // etcd replays history in batches, each response carrying the current revision in its header. A watch
      // on the member that dies must resume after the last event it delivered, not after that header.
      for (let i = 0; i < 9; i++) watches.push(store.watch('catchup/', from));
      const seen = watches.map(() => [] as number[]);
      const readers = watches.map(async (w, i) => {
        for await (const e of w) {
          seen[i]!.push(eventRevision(e));
          if (seen[i]!.length === n) return;
        }
      });
      while (seen.some((s) => s.length === 0)) await new Promise((r) => setTimeout(r, 5));
      const leader = await findLeader(cluster!.members);
      const follower = cluster!.members.find((m) => m !== leader)!;
      await follower.kill('SIGKILL');
      t.diagnostic(
        `events delivered per watch when ${follower.name} died: ${seen.map((s) => s.length).join(', ')}`,
      );

      await Promise.all(readers);
      for (const s of seen) assert.deepEqual(s, written);

      await follower.restart();
    } finally {
      for (const w of watches) w.close();
      await store.close();
    }
  },
);

void test('writes, reads and watches carry on when the leader is killed', { timeout: 120_000 }, async () => {
  const store = await EtcdStore.open({ endpoints: cluster!.endpoints });
  const watches: Watch[] = [];
  try {
    const from = await store.currentRevision();
    const written: number[] = [];
    const revs = new Map<string, number>();
    const write = async (key: string, value: string) => {
      const prev = revs.get(key);
      const rev =
        prev === undefined ? await store.create(key, b(value)) : await store.update(key, b(value), prev);
      revs.set(key, rev);
      written.push(rev);
    };

    for (let i = 0; i < 20; i++) await write(`ha/${i % 5}`, `before-${i}`);
    // Each watch runs on its own gRPC stream to a randomly chosen member, so with several of them some
    // are (almost surely) on the member that dies and must reconnect elsewhere without losing events.
    for (let i = 0; i < 8; i++) watches.push(store.watch('ha/', from));
    // Make sure they are all attached and streaming before the kill.
    for (const w of watches) assert.deepEqual((await take(w, 20)).map(eventRevision), written);

    const leader = await findLeader(cluster!.members);
    await leader.kill('SIGKILL');
    assert.equal(leader.running, false);

    // Writes right after the kill ride out the leader election.
    for (let i = 0; i < 30; i++) await write(`ha/${i % 7}`, `after-${i}`);
    await write('ha/new', 'created after the kill');

    const survivors = cluster!.members.filter((m) => m.running);
    assert.equal(survivors.length, 2);
    const newLeader = await findLeader(survivors);
    assert.notEqual(newLeader.name, leader.name);

    for (const [key, rev] of revs) assert.equal((await store.get(key))?.modRevision, rev, key);
    const listed = await store.list('ha/');
    assert.deepEqual(
      listed.items.map((i) => [i.key, i.modRevision]),
      [...revs].sort(([x], [y]) => Buffer.compare(b(x), b(y))),
    );

    const after = written.slice(20);
    for (const w of watches) {
      const ev = await take(w, after.length, 30_000);
      assert.deepEqual(ev.map(eventRevision), after, 'no gaps, no duplicates, in order');
      assert.equal(eventKey(ev.at(-1)!), 'ha/new');
    }

    // A watch opened after the kill replays everything from the start, served by a survivor.
    const late = store.watch('ha/', from);
    watches.push(late);
    assert.deepEqual((await take(late, written.length)).map(eventRevision), written);
  } finally {
    for (const w of watches) w.close();
    await store.close();
  }
});
