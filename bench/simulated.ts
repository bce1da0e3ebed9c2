/**
 * npm run bench:simulated -- --nodes 5000 --pods 150000
 *
 * Does a whole cluster of simulated nodes fit in one process? One `k8ts server --simulated-nodes N` with
 * everything on (API server on sqlite, controller manager, scheduler, the simulated kubelets), then:
 * 1. waits for every node to be Ready with a podCIDR, and measures the idle server: RSS and the share of
 *    one core it uses over `--idle-seconds`;
 * 2. creates `--pods` pods and follows them with one watch until every pod is Running: time from the
 *    first create to the last pod Running. The creates are paced like a well-behaved client: at most
 *    `--concurrency` in flight, and at most `--max-pending` created pods not yet Running. Unpaced, the
 *    creates alone saturate the 2 cores and starve the scheduler and the node heartbeats (nodes go
 *    NotReady), which measures overload, not how fast the cluster starts pods;
 * 3. measures the loaded server at rest the same way, and its peak RSS (VmHWM).
 * BENCH_CPU_PROF_DIR=dir makes the server write a CPU profile (node --cpu-prof) there.
 * The last line is one JSON object with every figure.
 */
import { parseArgs } from 'node:util';
import { cpuSeconds, memoryMb } from './process-stats.js';
import { loadKubeconfig } from '../src/client/config.js';
import type { Node, Pod } from '../src/client/objects.js';
import { NAMESPACES, NODES, PODS } from '../src/client/resources.js';
import { RestClient } from '../src/client/rest.js';
import { startServer } from '../test/support/k8ts-server.js';
import { tempDir } from '../test/support/tmp.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '150000' },
    concurrency: { type: 'string', default: '32' },
    'max-pending': { type: 'string', default: '2000' },
    'idle-seconds': { type: 'string', default: '30' },
  },
});
const NODE_COUNT = Number(values.nodes);
const POD_COUNT = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);
const IDLE_SECONDS = Number(values['idle-seconds']);
const MAX_PENDING = Number(values['max-pending']);
const NAMESPACE = 'scale';
const PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];

const round = (n: number, d = 1) => Number(n.toFixed(d));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Share of one core the process uses over `seconds`, in percent. */
async function cpuShare(pid: number, seconds: number): Promise<number> {
  const before = cpuSeconds(pid);
  await sleep(seconds * 1000);
  return round(((cpuSeconds(pid) - before) / seconds) * 100);
}

const podObject = (i: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${i}`, labels: { app: `app-${i % 100}` } },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'nginx:1.27',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
      },
    ],
  },
});

/** apiserver_request_total from /metrics, summed per "VERB resource[/subresource]". */
async function requestCounts(client: RestClient): Promise<Map<string, number>> {
  const res = await client.transport.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  const out = new Map<string, number>();
  for (const l of res.body.toString().split('\n')) {
    const m = /^apiserver_request_total\{([^}]*)\} (\S+)$/.exec(l);
    if (!m) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(m[1]!)?.[1] ?? '';
    const sub = label('subresource');
    const key = `${label('verb')} ${label('resource')}${sub ? `/${sub}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The requests made between two scrapes, per pod, most first. */
function requestsPerPod(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const rows = [...after]
    .map(([k, n]) => [k, (n - (before.get(k) ?? 0)) / POD_COUNT] as const)
    .filter(([, n]) => n >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows.map(([k, n]) => [k, round(n, 2)]));
}

async function waitForNodes(client: RestClient): Promise<void> {
  for (;;) {
    const nodes = await client.listAll<Node>(NODES);
    const ready = nodes.items.filter(
      (n) => n.spec?.podCIDR && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    if (ready >= NODE_COUNT) return;
    await sleep(2000);
  }
}

async function main(): Promise<void> {
  const tmp = tempDir('k8ts-bench-simulated-');
  const t0 = performance.now();
  const elapsed = () => round((performance.now() - t0) / 1000);
  const server = await startServer(
    ['--simulated-nodes', String(NODE_COUNT), '--cluster-cidr', '10.0.0.0/8'],
    {
      dataDir: tmp.dir,
      nodeOptions: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      onLine: (l) => {
        if (/"level":"(warn|error)"/.test(l)) process.stderr.write(`${l}\n`);
      },
    },
  );
  const pid = server.pid;
  const progress = (msg: string) => {
    const { rssMb } = memoryMb(pid);
    console.log(`${elapsed()} s: ${msg} (server RSS ${rssMb} MB, ${round(cpuSeconds(pid))} CPU-s)`);
  };
  const client = new RestClient(loadKubeconfig(server.kubeconfig, 'bench-simulated/v0'));
  const watchAbort = new AbortController();
  let watching: Promise<void> = Promise.resolve();
  try {
    await waitForNodes(client);
    const nodesReadySeconds = elapsed();
    progress(`${NODE_COUNT} nodes Ready`);
    const idleCpuPercent = await cpuShare(pid, IDLE_SECONDS);
    const idle = memoryMb(pid);
    progress(`idle: ${idleCpuPercent}% of one core`);

    await client.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    const running = new Set<string>();
    let lastRunningAt = 0;
    let created = 0;
    let wakeCreators: (() => void)[] = [];
    const room = async () => {
      while (created - running.size >= MAX_PENDING) await new Promise<void>((r) => wakeCreators.push(r));
    };
    let allRunning!: () => void;
    const done = new Promise<void>((r) => (allRunning = r));
    const rv = (await client.list(PODS, { namespace: NAMESPACE, limit: 1 })).metadata.resourceVersion;
    watching = (async () => {
      let from = rv;
      // A watch ends when the server times it out; resume from the last version seen.
      while (!watchAbort.signal.aborted) {
        for await (const e of client.watch<Pod>(PODS, {
          namespace: NAMESPACE,
          resourceVersion: from,
          fieldSelector: 'status.phase=Running',
          signal: watchAbort.signal,
        })) {
          from = e.object.metadata.resourceVersion ?? from;
          if (e.type !== 'ADDED' && e.type !== 'MODIFIED') continue;
          const before = running.size;
          running.add(e.object.metadata.name);
          if (running.size === before) continue;
          lastRunningAt = performance.now();
          if (wakeCreators.length && created - running.size < MAX_PENDING) {
            for (const w of wakeCreators) w();
            wakeCreators = [];
          }
          if (running.size % 10_000 === 0) progress(`${running.size} pods Running`);
          if (running.size === POD_COUNT) allRunning();
        }
      }
    })();

    const requestsBefore = await requestCounts(client);
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < POD_COUNT; i = next++) {
          await room();
          created++;
          await client.create(PODS, NAMESPACE, podObject(i));
          if ((i + 1) % 10_000 === 0) progress(`${i + 1} pods created`);
        }
      }),
    );
    const createSeconds = (performance.now() - start) / 1000;
    progress(`all ${POD_COUNT} pods created`);
    await done;
    const runningSeconds = (lastRunningAt - start) / 1000;
    progress(`all ${POD_COUNT} pods Running`);
    const perPod = requestsPerPod(requestsBefore, await requestCounts(client));
    console.log(`API requests per pod while they started: ${JSON.stringify(perPod)}`);
    await sleep(10_000); // let status writes and controllers settle before measuring the rest state
    const loadedCpuPercent = await cpuShare(pid, IDLE_SECONDS);
    const loaded = memoryMb(pid);
    const result = {
      nodes: NODE_COUNT,
      pods: POD_COUNT,
      nodesReadySeconds,
      maxPending: MAX_PENDING,
      idle: { rssMb: idle.rssMb, cpuPercentOfOneCore: idleCpuPercent },
      podCreateSeconds: round(createSeconds),
      podCreatesPerSec: round(POD_COUNT / createSeconds),
      allRunningSeconds: round(runningSeconds),
      podsRunningPerSec: round(POD_COUNT / runningSeconds),
      loaded: { rssMb: loaded.rssMb, cpuPercentOfOneCore: loadedCpuPercent },
      peakRssMb: loaded.peakRssMb,
      apiRequestsPerPod: perPod,
      serverCpuSeconds: round(cpuSeconds(pid)),
    };
    console.log(
      `${POD_COUNT} pods on ${NODE_COUNT} nodes: created in ${result.podCreateSeconds} s, all Running after ` +
        `${result.allRunningSeconds} s (${result.podsRunningPerSec}/s); at rest ${loaded.rssMb} MB RSS, ` +
        `${loadedCpuPercent}% of one core; peak RSS ${loaded.peakRssMb} MB`,
    );
    console.log(JSON.stringify(result));
  } finally {
    watchAbort.abort();
    await watching.catch(() => undefined);
    client.close();
    await server.stop();
    tmp.remove();
  }
}

await main();
