/**
 * npm run bench:scheduler -- --nodes 5000 --pods 10000
 *
 * One `k8ts server --disable-controller-manager` (API server and scheduler in one process, sqlite, loopback,
 * port 0). The bench registers `--nodes` Ready nodes through the API (create + status patch, `--concurrency`
 * requests in flight), then creates `--pods` pods with CPU and memory requests as fast as it can while
 * watching them, and reports:
 * - throughput: pods bound per second, from the first create request to the last binding seen;
 * - per-pod latency p50/p99: the pod's ADDED watch event to the watch event that shows it bound;
 * - the API server's mutating p99 during the pod phase (POST/PUT/PATCH/DELETE), from the difference of
 *   its /metrics `apiserver_request_duration_seconds` histogram before and after (the upper bound of
 *   the bucket holding the 99th percentile), plus the client-side p99 of the pod creates;
 * - the server's peak RSS (VmHWM).
 * BENCH_CPU_PROF_DIR=dir makes the server write a CPU profile (node --cpu-prof) there.
 * The last line is one JSON object with every figure and the targets (>= 270 pods/s, mutating p99 <= 1 s).
 */
import { parseArgs } from 'node:util';
import { memoryMb } from './process-stats.js';
import { loadKubeconfig } from '../src/client/config.js';
import type { Pod } from '../src/client/objects.js';
import { NAMESPACES, NODES, PODS } from '../src/client/resources.js';
import { RestClient } from '../src/client/rest.js';
import { startServer } from '../test/support/k8ts-server.js';
import { tempDir } from '../test/support/tmp.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const NODE_COUNT = Number(values.nodes);
const POD_COUNT = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);
const NAMESPACE = 'bench';
/** BENCH_CPU_PROF_DIR=dir: the server writes a V8 CPU profile there when it exits. */
const PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const round = (n: number, d = 1) => Number(n.toFixed(d));
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : 0;

/** Runs `fn(i)` for i in [0, total) with `concurrency` calls in flight; each call's latency in ms. */
async function drive(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = new Array<number>(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await fn(i);
        latencies[i] = performance.now() - t;
      }
    }),
  );
  return latencies;
}

/** The mutating requests' latency histogram from /metrics: bucket upper bound (s) → cumulative count. */
async function mutatingHistogram(client: RestClient): Promise<Map<number, number>> {
  const res = await client.transport.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  const out = new Map<number, number>();
  const line = /^apiserver_request_duration_seconds_bucket\{([^}]*)\} (\S+)$/;
  for (const l of res.body.toString().split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const verb = /verb="([^"]*)"/.exec(m[1]!)?.[1] ?? '';
    if (!MUTATING.has(verb)) continue;
    const le = /le="([^"]*)"/.exec(m[1]!)?.[1] ?? '';
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The bucket bound under which `p`% of the requests between two scrapes finished. */
function histogramPercentile(before: Map<number, number>, after: Map<number, number>, p: number) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = delta[delta.length - 1] ?? 0;
  const idx = delta.findIndex((c) => c >= (total * p) / 100);
  return { requests: total, seconds: total ? bounds[idx]! : 0 };
}

function startBenchServer(dataDir: string) {
  return startServer(['--disable-controller-manager'], {
    dataDir,
    nodeOptions: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    // Pass on the server's warnings and errors only.
    onLine: (l) => {
      if (/"level":"(warn|error)"/.test(l)) process.stderr.write(`${l}\n`);
    },
  });
}

const nodeObject = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: `node-${i}`,
    labels: {
      'kubernetes.io/hostname': `node-${i}`,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/zone': `zone-${i % 3}`,
    },
  },
});

const capacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
const nodeStatus = {
  status: {
    capacity,
    allocatable: capacity,
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node' }],
  },
};

const podObject = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `pod-${i}`, labels: { app: `app-${i % 50}` } },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'busybox:1.36',
        command: ['sleep', '3600'],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
      },
    ],
  },
});

async function main(): Promise<void> {
  const tmp = tempDir('k8ts-bench-scheduler-');
  const server = await startBenchServer(tmp.dir);
  const client = new RestClient(loadKubeconfig(server.kubeconfig, 'bench-scheduler/v0'));
  try {
    await client.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    let t = performance.now();
    await drive(NODE_COUNT, CONCURRENCY, async (i) => {
      await client.create(NODES, undefined, nodeObject(i));
      await client.patch(NODES, undefined, `node-${i}`, 'merge', nodeStatus, { subresource: 'status' });
    });
    const nodeSeconds = (performance.now() - t) / 1000;
    console.log(`${NODE_COUNT} nodes registered in ${round(nodeSeconds)} s`);
    // Give the scheduler's informer the last node events before the clock starts.
    await new Promise((r) => setTimeout(r, 1000));

    const added = new Map<string, number>();
    const latencies: number[] = [];
    let lastBound = 0;
    let allBound!: () => void;
    const done = new Promise<void>((r) => (allBound = r));
    const watchAbort = new AbortController();
    const rv = (await client.list(PODS, { namespace: NAMESPACE, limit: 1 })).metadata.resourceVersion;
    const watching = (async () => {
      for (;;) {
        const events = client.watch<Pod>(PODS, {
          namespace: NAMESPACE,
          resourceVersion: rv,
          signal: watchAbort.signal,
        });
        for await (const e of events) {
          const name = e.object.metadata.name;
          const now = performance.now();
          if (!added.has(name)) added.set(name, now);
          if (e.object.spec?.nodeName && added.get(name)! >= 0) {
            latencies.push(now - added.get(name)!);
            added.set(name, -1);
            lastBound = now;
            if (latencies.length === POD_COUNT) allBound();
          }
        }
        if (watchAbort.signal.aborted) return;
      }
    })();

    await new Promise((r) => setTimeout(r, 300)); // let the watch connect
    const before = await mutatingHistogram(client);
    t = performance.now();
    const createLatencies = await drive(POD_COUNT, CONCURRENCY, (i) =>
      client.create(PODS, NAMESPACE, podObject(i)),
    );
    const createSeconds = (performance.now() - t) / 1000;
    console.log(`${POD_COUNT} pods created in ${round(createSeconds)} s; waiting for bindings`);
    const timeout = setTimeout(allBound, Math.max(120_000, POD_COUNT * 20));
    await done;
    clearTimeout(timeout);
    const after = await mutatingHistogram(client);
    watchAbort.abort();
    await watching.catch(() => undefined);

    const seconds = (lastBound - t) / 1000;
    const bound = latencies.length;
    latencies.sort((a, b) => a - b);
    createLatencies.sort((a, b) => a - b);
    const mutating = histogramPercentile(before, after, 99);
    const result = {
      nodes: NODE_COUNT,
      pods: POD_COUNT,
      podsBound: bound,
      nodeRegistrationSeconds: round(nodeSeconds, 2),
      podCreateSeconds: round(createSeconds, 2),
      schedulingSeconds: round(seconds, 2),
      throughputPodsPerSec: round(bound / seconds),
      latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
      apiserverMutatingP99Seconds: mutating.seconds,
      apiserverMutatingRequests: mutating.requests,
      mutatingP99Source: 'server /metrics apiserver_request_duration_seconds (bucket upper bound)',
      clientPodCreateP99Ms: round(percentile(createLatencies, 99)),
      peakRssMb: memoryMb(server.pid).peakRssMb,
      targets: {
        throughputAtLeast270: bound === POD_COUNT && bound / seconds >= 270,
        mutatingP99AtMost1s: mutating.seconds <= 1,
      },
    };
    console.log(
      `bound ${bound}/${POD_COUNT} pods in ${result.schedulingSeconds} s: ${result.throughputPodsPerSec} pods/s; ` +
        `latency p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms; ` +
        `API mutating p99 <= ${mutating.seconds} s over ${mutating.requests} requests; peak RSS ${result.peakRssMb} MB`,
    );
    console.log(JSON.stringify(result));
  } finally {
    client.close();
    await server.stop();
    tmp.remove();
  }
}

await main();
