/**
 * npm run bench:storage — write and read throughput and latency of the store backends at 1, 16 and 64
 * concurrent clients: sqlite (durable: every commit fsynced), etcd (one local member), and raw etcd3
 * client puts/gets at the same concurrency, the ceiling for the etcd backend. A third etcd line, raw
 * conditional puts (the one-compare transaction a create needs, sent straight through etcd3), shows how
 * much of the gap to plain puts is etcd's own cost of a transaction.
 *
 * Prints a table, then one JSON line with every figure.
 * Options (environment): BENCH_WRITES (default 4000 per run), BENCH_READS (default 20000),
 * BENCH_ROUNDS (default 3: the etcd runs take turns, round by round; each one's best round counts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CompareResult, CompareTarget, Etcd3 } from 'etcd3';
import { EtcdStore } from '../src/storage/etcd/etcd-store.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/storage/store.js';
import { startEtcd } from '../test/support/etcd-harness.js';
import { tempDir } from '../test/support/tmp.js';

const WRITES = Number(process.env['BENCH_WRITES'] ?? 4000);
const READS = Number(process.env['BENCH_READS'] ?? 20000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONCURRENCY = [1, 16, 64];
const VALUE = randomBytes(1024);

interface Result {
  target: string;
  op: 'write' | 'read';
  clients: number;
  ops: number;
  opsPerSec: number;
  p50ms: number;
  p99ms: number;
}

/** The subject under test: one function per operation kind. */
interface Subject {
  name: string;
  write(key: string): Promise<unknown>;
  read(key: string): Promise<unknown>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Runs `total` operations from `clients` concurrent loops; op(i) is the i-th operation overall. */
async function drive(
  target: string,
  op: Result['op'],
  clients: number,
  total: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Result> {
  const latencies = new Array<number>(total);
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = process.hrtime.bigint();
        await fn(i);
        latencies[i] = Number(process.hrtime.bigint() - t) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    target,
    op,
    clients,
    ops: total,
    opsPerSec: Math.round(total / seconds),
    p50ms: Number(percentile(latencies, 50).toFixed(3)),
    p99ms: Number(percentile(latencies, 99).toFixed(3)),
  };
}

let runId = 0;

/** Writes fresh keys, then reads random ones of them back. */
async function measure(subject: Subject, clients: number): Promise<Result[]> {
  const prefix = `bench/${++runId}/`;
  await drive(subject.name, 'write', clients, Math.min(200, WRITES), (i) =>
    subject.write(`${prefix}warm/${i}`),
  );
  const w = await drive(subject.name, 'write', clients, WRITES, (i) => subject.write(`${prefix}${i}`));
  const r = await drive(subject.name, 'read', clients, READS, () =>
    subject.read(`${prefix}${Math.floor(Math.random() * WRITES)}`),
  );
  return [w, r];
}

function storeSubject(name: string, store: Store): Subject {
  return { name, write: (k) => store.create(k, VALUE), read: (k) => store.get(k) };
}

function best(a: Result, b: Result | undefined): Result {
  return !b || a.opsPerSec >= b.opsPerSec ? a : b;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const tmp = tempDir('k8ts-bench-');
  const etcd = await startEtcd();
  const sqlite = new SqliteStore({ path: join(tmp.dir, 'state.db') });
  const etcdStore = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/registry/' });
  const raw = new Etcd3({ hosts: etcd.endpoints });
  const rawSubject: Subject = {
    name: 'etcd3 raw',
    write: (k) => raw.put(`/raw/${k}`).value(VALUE).exec(),
    read: (k) => raw.get(`/raw/${k}`).buffer(),
  };
  const rawTxnSubject: Subject = {
    name: 'etcd3 raw txn',
    write: (k) => {
      const key = Buffer.from(`/rawtxn/${k}`);
      return raw.kv.txn({
        compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key, value: VALUE } }],
      });
    },
    read: (k) => raw.kv.range({ key: Buffer.from(`/rawtxn/${k}`) }),
  };
  try {
    for (const clients of CONCURRENCY) {
      results.push(...(await measure(storeSubject('sqlite', sqlite), clients)));
      // The etcd backend and raw puts alternate, so both see the same disk and etcd state.
      const subjects = [storeSubject('etcd', etcdStore), rawSubject, rawTxnSubject];
      const bests: Result[][] = subjects.map(() => []);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [j, subject] of subjects.entries()) {
          const res = await measure(subject, clients);
          bests[j] = res.map((x, i) => best(x, bests[j]![i]));
        }
      }
      results.push(...bests.flat());
      process.stderr.write(`clients=${clients} done\n`);
    }
  } finally {
    raw.close();
    await etcdStore.close();
    await sqlite.close();
    await etcd.stop();
    tmp.remove();
  }

  const writes = (target: string, clients: number) =>
    results.find((r) => r.target === target && r.op === 'write' && r.clients === clients)!.opsPerSec;
  const ratios: Record<string, number> = {};
  const txnRatios: Record<string, number> = {};
  for (const clients of CONCURRENCY) {
    ratios[`etcdVsRawWrite@${clients}`] = Number(
      (writes('etcd', clients) / writes('etcd3 raw', clients)).toFixed(3),
    );
    txnRatios[`etcdVsRawTxn@${clients}`] = Number(
      (writes('etcd', clients) / writes('etcd3 raw txn', clients)).toFixed(3),
    );
  }
  const sqlite16 = results.find((r) => r.target === 'sqlite' && r.op === 'write' && r.clients === 16)!;
  const targets = {
    etcdBackendAtLeast90PctOfRaw: Object.values(ratios).every((x) => x >= 0.9),
    sqliteDurableWritesPerSecAt16: sqlite16.opsPerSec,
    sqliteAtLeast5000At16: sqlite16.opsPerSec >= 5000,
  };

  const header = ['target', 'op', 'clients', 'ops/s', 'p50 ms', 'p99 ms'];
  const rows = results.map((r) => [
    r.target,
    r.op,
    String(r.clients),
    String(r.opsPerSec),
    r.p50ms.toFixed(3),
    r.p99ms.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const [k, v] of Object.entries({ ...ratios, ...txnRatios })) console.log(`${k}: ${v}`);
  console.log(`targets: ${JSON.stringify(targets)}`);
  console.log(
    JSON.stringify({
      bench: 'storage',
      node: process.version,
      valueBytes: VALUE.length,
      writes: WRITES,
      reads: READS,
      results,
      ratios,
      txnRatios,
      targets,
    }),
  );
}

await main();
