/**
 * npm run bench:apiserver — a real `k8ts server` (bin/k8ts, loopback, port 0) on sqlite and on etcd, driven
 * over HTTPS/HTTP2 with the admin client certificate from its kubeconfig, as kubectl and client-go would:
 * pod create throughput, single-pod GET latency, LIST and watch at 1, 16 and 64 concurrent clients; raw
 * etcd3 puts at the same concurrency (the ceiling for the etcd backend); a 10,000-pod LIST as a Table;
 * the server's RSS when idle and after the load; the time from start to a passing /readyz.
 *
 * Prints figures as it goes and, as the last line, one JSON object with every figure and each target.
 * The server runs the API server alone (`--disable-controller-manager --disable-scheduler`): with them on,
 * every bench pod would also be scheduled (and, with no nodes, get a FailedScheduling event and status
 * write), which measures the scheduler, not the API server (bench:scheduler does that).
 *
 * Options (environment): BENCH_CREATES (default 2000 per concurrency), BENCH_GETS (5000), BENCH_LISTS
 * (400, of a 100-pod namespace), BENCH_WATCH_WRITES (500), BENCH_TABLE_PODS (10000); BENCH_BACKENDS
 * (default "sqlite,etcd"); BENCH_CPU_PROF_DIR=dir makes the server write a CPU profile there.
 */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { Etcd3 } from 'etcd3';
import { parse as parseYaml } from 'yaml';
import { memoryMb } from './process-stats.js';
import { startEtcd } from '../test/support/etcd-harness.js';
import { startServer } from '../test/support/k8ts-server.js';
import { tempDir } from '../test/support/tmp.js';

const CREATES = Number(process.env['BENCH_CREATES'] ?? 2000);
const GETS = Number(process.env['BENCH_GETS'] ?? 5000);
const LISTS = Number(process.env['BENCH_LISTS'] ?? 400);
const WATCH_WRITES = Number(process.env['BENCH_WATCH_WRITES'] ?? 500);
const TABLE_PODS = Number(process.env['BENCH_TABLE_PODS'] ?? 10_000);
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'sqlite,etcd').split(',');
const PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];
const CONCURRENCY = [1, 16, 64];
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Stat {
  clients: number;
  ops: number;
  opsPerSec: number;
  p50ms: number;
  p99ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const round = (n: number, d = 3) => Number(n.toFixed(d));

function stat(clients: number, latencies: number[], seconds: number): Stat {
  latencies.sort((a, b) => a - b);
  return {
    clients,
    ops: latencies.length,
    opsPerSec: Math.round(latencies.length / seconds),
    p50ms: round(percentile(latencies, 50)),
    p99ms: round(percentile(latencies, 99)),
  };
}

/** `total` operations from `clients` concurrent loops; fn(i, client) runs the i-th operation. */
async function drive(
  clients: number,
  total: number,
  fn: (i: number, client: number) => Promise<unknown>,
): Promise<Stat> {
  const latencies = new Array<number>(total);
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = next++; i < total; i = next++) {
        const t = process.hrtime.bigint();
        await fn(i, c);
        latencies[i] = ms(t);
      }
    }),
  );
  return stat(clients, latencies, ms(start) / 1000);
}

interface Reply {
  status: number;
  body: Buffer;
}

/** One HTTP/2 connection to the server with the kubeconfig's CA and admin client certificate. */
class Client {
  private readonly session: http2.ClientHttp2Session;

  constructor(kubeconfig: string) {
    const cfg = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
    };
    const b64 = (s: string) => Buffer.from(s, 'base64');
    this.session = http2.connect(cfg.clusters[0]!.cluster.server, {
      ca: b64(cfg.clusters[0]!.cluster['certificate-authority-data']),
      cert: b64(cfg.users[0]!.user['client-certificate-data']),
      key: b64(cfg.users[0]!.user['client-key-data']),
    });
    this.session.on('error', () => undefined);
  }

  request(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, accept };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const stream = this.session.request(headers);
      const chunks: Buffer[] = [];
      let status = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
      stream.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async expect(code: number, method: string, path: string, body?: unknown, accept?: string): Promise<Reply> {
    const r = await this.request(method, path, body, accept);
    if (r.status !== code)
      throw new Error(`${method} ${path}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    return r;
  }

  /** A watch stream; onEvent gets each parsed line. Returns a function that closes it. */
  watch(
    path: string,
    onEvent: (ev: { type: string; object: { metadata?: { name?: string } } }) => void,
  ): () => void {
    const stream = this.session.request({ ':method': 'GET', ':path': path, accept: 'application/json' });
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) onEvent(JSON.parse(line) as Parameters<typeof onEvent>[0]);
      }
    });
    stream.on('error', () => undefined);
    return () => stream.close();
  }

  close(): void {
    this.session.close();
  }
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
});

interface Server {
  pid: number;
  kubeconfig: string;
  startToReadyMs: number;
  stop(): Promise<void>;
}

/** Starts bin/k8ts server and times spawn → first passing /readyz. */
async function startBenchServer(dataDir: string, args: string[]): Promise<Server> {
  const t0 = process.hrtime.bigint();
  const server = await startServer(['--disable-controller-manager', '--disable-scheduler', ...args], {
    dataDir,
    nodeOptions: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  });
  const client = new Client(server.kubeconfig);
  for (;;) {
    const r = await client.request('GET', '/readyz').catch(() => undefined);
    if (r?.status === 200) break;
    await new Promise((res) => setTimeout(res, 5));
  }
  const startToReadyMs = round(ms(t0), 1);
  client.close();
  return { pid: server.pid, kubeconfig: server.kubeconfig, startToReadyMs, stop: () => server.stop() };
}

async function createNamespace(c: Client, name: string): Promise<void> {
  await c.expect(201, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
}

interface BackendResult {
  backend: string;
  startToReadyMs: number;
  idleRssMb: number;
  loadedRssMb: number;
  create: Stat[];
  get: Stat[];
  list: Stat[];
  watch: (Stat & { watchers: number; eventsDelivered: number })[];
  tableList10kMs: number;
  tableList10kBytes: number;
}

async function benchBackend(backend: string, args: string[]): Promise<BackendResult> {
  const tmp = tempDir(`k8ts-bench-${backend}-`);
  const server = await startBenchServer(tmp.dir, args);
  await new Promise((r) => setTimeout(r, 1000));
  const idleRssMb = memoryMb(server.pid).rssMb;
  console.log(`${backend}: start → readyz ${server.startToReadyMs} ms, idle RSS ${idleRssMb} MB`);
  const clients = Array.from({ length: 64 }, () => new Client(server.kubeconfig));
  const admin = clients[0]!;
  const result: BackendResult = {
    backend,
    startToReadyMs: server.startToReadyMs,
    idleRssMb,
    loadedRssMb: 0,
    create: [],
    get: [],
    list: [],
    watch: [],
    tableList10kMs: 0,
    tableList10kBytes: 0,
  };
  try {
    // Warm up the server's code paths before measuring.
    await createNamespace(admin, 'warm');
    await drive(16, 300, (i, c) =>
      clients[c]!.expect(201, 'POST', '/api/v1/namespaces/warm/pods', pod(`w-${i}`)),
    );

    for (const n of CONCURRENCY) {
      const ns = `create-${n}`;
      await createNamespace(admin, ns);
      const s = await drive(n, CREATES, (i, c) =>
        clients[c]!.expect(201, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(`p-${i}`)),
      );
      result.create.push(s);
      console.log(`${backend}: create  ${n} clients: ${s.opsPerSec}/s p50 ${s.p50ms} ms p99 ${s.p99ms} ms`);
    }
    for (const n of CONCURRENCY) {
      const s = await drive(n, GETS, (_, c) =>
        clients[c]!.expect(
          200,
          'GET',
          `/api/v1/namespaces/create-1/pods/p-${Math.floor(Math.random() * CREATES)}`,
        ),
      );
      result.get.push(s);
      console.log(`${backend}: get     ${n} clients: ${s.opsPerSec}/s p50 ${s.p50ms} ms p99 ${s.p99ms} ms`);
    }
    await createNamespace(admin, 'list');
    await drive(16, 100, (i, c) =>
      clients[c]!.expect(201, 'POST', '/api/v1/namespaces/list/pods', pod(`l-${i}`)),
    );
    for (const n of CONCURRENCY) {
      const s = await drive(n, LISTS, (_, c) =>
        clients[c]!.expect(200, 'GET', '/api/v1/namespaces/list/pods'),
      );
      result.list.push(s);
      console.log(`${backend}: list100 ${n} clients: ${s.opsPerSec}/s p50 ${s.p50ms} ms p99 ${s.p99ms} ms`);
    }
    for (const n of CONCURRENCY) {
      const ns = `watch-${n}`;
      await createNamespace(admin, ns);
      const rv = (
        JSON.parse((await admin.expect(200, 'GET', `/api/v1/namespaces/${ns}/pods`)).body.toString()) as {
          metadata: { resourceVersion: string };
        }
      ).metadata.resourceVersion;
      const sent = new Map<string, bigint>();
      const latencies: number[] = [];
      let delivered = 0;
      const expected = n * WATCH_WRITES;
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      const closers = Array.from({ length: n }, (_, c) =>
        clients[c]!.watch(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`, (ev) => {
          if (ev.type !== 'ADDED') return;
          const t = sent.get(ev.object.metadata?.name ?? '');
          if (t !== undefined) latencies.push(ms(t));
          if (++delivered === expected) done();
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      const start = process.hrtime.bigint();
      await drive(16, WATCH_WRITES, (i, c) => {
        sent.set(`v-${i}`, process.hrtime.bigint());
        return clients[c]!.expect(201, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(`v-${i}`));
      });
      await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
      const seconds = ms(start) / 1000;
      for (const close of closers) close();
      const s = { ...stat(n, latencies, seconds), watchers: n, eventsDelivered: delivered };
      result.watch.push(s);
      console.log(
        `${backend}: watch   ${n} watchers: ${delivered}/${expected} events, ${s.opsPerSec} events/s, write→event p50 ${s.p50ms} ms p99 ${s.p99ms} ms`,
      );
    }

    await createNamespace(admin, 'big');
    await drive(64, TABLE_PODS, (i, c) =>
      clients[c]!.expect(
        201,
        'POST',
        '/api/v1/namespaces/big/pods',
        pod(`pod-${String(i).padStart(5, '0')}`),
      ),
    );
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      const r = await admin.expect(200, 'GET', '/api/v1/namespaces/big/pods', undefined, TABLE_ACCEPT);
      times.push(ms(t));
      result.tableList10kBytes = r.body.length;
    }
    times.sort((a, b) => a - b);
    result.tableList10kMs = round(times[1]!, 1);
    console.log(
      `${backend}: LIST ${TABLE_PODS} pods as Table: ${result.tableList10kMs} ms (median of 3), ${result.tableList10kBytes} bytes`,
    );
    result.loadedRssMb = memoryMb(server.pid).rssMb;
    console.log(`${backend}: RSS after the load ${result.loadedRssMb} MB`);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
    tmp.remove();
  }
  return result;
}

/** Raw etcd3 puts of a pod-sized value at each concurrency: the ceiling for the etcd backend's creates. */
async function rawEtcdPuts(endpoints: string[], valueBytes: number): Promise<Stat[]> {
  const raw = new Etcd3({ hosts: endpoints });
  const value = Buffer.alloc(valueBytes, 'x');
  const out: Stat[] = [];
  try {
    await drive(16, 300, (i) => raw.put(`/raw-warm/${i}`).value(value).exec());
    for (const n of CONCURRENCY) {
      const s = await drive(n, CREATES, (i) => raw.put(`/raw/${n}/${i}`).value(value).exec());
      out.push(s);
      console.log(`etcd3 raw put ${n} clients: ${s.opsPerSec}/s p50 ${s.p50ms} ms p99 ${s.p99ms} ms`);
    }
  } finally {
    raw.close();
  }
  return out;
}

async function main(): Promise<void> {
  const backends: BackendResult[] = [];
  let raw: Stat[] = [];
  if (BACKENDS.includes('sqlite')) backends.push(await benchBackend('sqlite', []));
  if (BACKENDS.includes('etcd')) {
    const etcd = await startEtcd();
    try {
      backends.push(
        await benchBackend('etcd', ['--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(',')]),
      );
      // A stored pod is about the size of its JSON with server-set metadata and defaults.
      raw = await rawEtcdPuts(etcd.endpoints, 1100);
    } finally {
      await etcd.stop();
    }
  }
  const etcdResult = backends.find((b) => b.backend === 'etcd');
  const ratios = etcdResult
    ? CONCURRENCY.map((n, i) => ({
        clients: n,
        ratio: round(etcdResult.create[i]!.opsPerSec / raw[i]!.opsPerSec, 2),
      }))
    : [];
  const targets = {
    etcdCreateAtLeast70PctOfRawPut: {
      met: etcdResult !== undefined && ratios.every((r) => r.ratio >= 0.7),
      ratios,
    },
    getP99Under10ms: {
      met: backends.every((b) => b.get.every((s) => s.p99ms < 10)),
      p99ms: Object.fromEntries(backends.map((b) => [b.backend, b.get.map((s) => s.p99ms)])),
    },
    tableList10kUnder1s: {
      met: backends.every((b) => b.tableList10kMs < 1000),
      ms: Object.fromEntries(backends.map((b) => [b.backend, b.tableList10kMs])),
    },
    idleRssAtMost150MB: {
      met: backends.every((b) => b.idleRssMb <= 150),
      mb: Object.fromEntries(backends.map((b) => [b.backend, b.idleRssMb])),
    },
    startToReadyzAtMost2s: {
      met: backends.every((b) => b.startToReadyMs <= 2000),
      ms: Object.fromEntries(backends.map((b) => [b.backend, b.startToReadyMs])),
    },
  };
  console.log('');
  for (const [name, t] of Object.entries(targets)) console.log(`${t.met ? 'MET   ' : 'MISSED'} ${name}`);
  console.log(JSON.stringify({ concurrency: CONCURRENCY, backends, rawEtcdPut: raw, targets }));
}

await main();
