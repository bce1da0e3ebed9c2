/**
 * The disruption controller inside a real `k8ts server` with nodes that run pods, read with real
 * kubectl: PodDisruptionBudget status for counts and percentages (scale from the pods' controllers),
 * readiness changes, and evictions through the API that the status allows or refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SIMULATED_READY, startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;
const WAIT_MS = 20_000;

interface PdbStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: {
    type: string;
    status: string;
    reason: string;
    message: string;
    observedGeneration?: number;
  }[];
}

const counts = (s: PdbStatus | undefined) =>
  s && [s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed].join('/');

describe('disruption controller', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string) => kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const kc = async (ns: string, ...args: string[]) => ok(await run(['-n', ns, ...args]), args.join(' '));
  const status = async (ns: string, pdb: string): Promise<PdbStatus | undefined> => {
    const out = await kc(ns, 'get', 'pdb', pdb, '-o', 'jsonpath={.status}');
    return out ? (JSON.parse(out) as PdbStatus) : undefined;
  };
  /** Waits for expectedPods/desiredHealthy/currentHealthy/disruptionsAllowed to be `want`. */
  const waitCounts = async (ns: string, pdb: string, want: string) => {
    let last: PdbStatus | undefined;
    await until(
      `${pdb} at ${want}`,
      async () => counts((last = await status(ns, pdb))) === want,
      WAIT_MS,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last)}`);
    });
    return last!;
  };
  const evict = (ns: string, pod: string) =>
    run(
      ['create', '--raw', `/api/v1/namespaces/${ns}/pods/${pod}/eviction`, '-f', '-'],
      JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } }),
    );
  const barePod = (ns: string, name: string, labels: Record<string, string>) =>
    run(
      ['-n', ns, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels },
        spec: { containers: [{ name: 'c', image: 'postgres' }] },
      }),
    ).then((r) => ok(r, `create pod ${name}`));

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    for (const ns of ['pdb-count', 'pdb-percent', 'pdb-unmanaged'])
      ok(await run(['create', 'namespace', ns]), `create ns ${ns}`);
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('minAvailable as a count: status follows pod readiness, and evictions respect it', async () => {
    const ns = 'pdb-count';
    for (const name of ['db-0', 'db-1', 'db-2']) await barePod(ns, name, { app: 'db' });
    await kc(ns, 'create', 'pdb', 'db', '--selector=app=db', '--min-available=2');
    const s = await waitCounts(ns, 'db', '3/2/3/1');
    const generation = Number(await kc(ns, 'get', 'pdb', 'db', '-o', 'jsonpath={.metadata.generation}'));
    assert.equal(s.observedGeneration, generation);
    const cond = s.conditions?.find((c) => c.type === 'DisruptionAllowed');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'SufficientPods', '']);

    const rows = (await kc(ns, 'get', 'pdb')).trim().split('\n');
    assert.match(rows[0]!, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    assert.match(rows[1]!, /^db\s+2\s+N\/A\s+1\s+\S+$/);

    // One pod not ready: no disruption left.
    await kc(ns, 'annotate', 'pod', 'db-1', `${SIMULATED_READY}=false`, '--overwrite');
    const low = await waitCounts(ns, 'db', '3/2/2/0');
    const lowCond = low.conditions?.find((c) => c.type === 'DisruptionAllowed');
    assert.deepEqual([lowCond?.status, lowCond?.reason], ['False', 'InsufficientPods']);
    assert.match((await kc(ns, 'get', 'pdb', 'db')).trim().split('\n')[1]!, /^db\s+2\s+N\/A\s+0\s/);
    const refused = await evict(ns, 'db-0');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);

    await kc(ns, 'annotate', 'pod', 'db-1', `${SIMULATED_READY}=true`, '--overwrite');
    await waitCounts(ns, 'db', '3/2/3/1');

    // The one allowed disruption is used by the first eviction; the second is refused.
    ok(await evict(ns, 'db-0'), 'evict db-0');
    const second = await evict(ns, 'db-2');
    assert.notEqual(second.code, 0, 'second eviction refused');
    assert.match(second.stderr, /TooManyRequests|disruption budget/);
    await until('db-0 gone', async () => (await run(['-n', ns, 'get', 'pod', 'db-0'])).code !== 0, WAIT_MS);
    const after = await waitCounts(ns, 'db', '2/2/2/0');
    assert.equal(after.disruptedPods, undefined, 'the evicted pod no longer pending');
    assert.equal((await run(['-n', ns, 'get', 'pod', 'db-2'])).code, 0, 'db-2 was not evicted');

    // A new pod makes room again.
    await barePod(ns, 'db-3', { app: 'db' });
    await waitCounts(ns, 'db', '3/2/3/1');
    ok(await evict(ns, 'db-2'), 'evict db-2');
  });

  it('percentages are of the controllers’ scale, rounded up', async () => {
    const ns = 'pdb-percent';
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    };
    ok(await run(['-n', ns, 'apply', '-f', '-'], JSON.stringify(rs)), 'create rs');
    const uid = await kc(ns, 'get', 'rs', 'web', '-o', 'jsonpath={.metadata.uid}');
    // The ReplicaSet's pods (made here, with its controller reference, if no controller makes them).
    for (let i = 0; i < 4; i++)
      ok(
        await run(
          ['-n', ns, 'apply', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: `web-${i}`,
              labels: { app: 'web' },
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: 'web',
                  uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          }),
        ),
        `pod web-${i}`,
      );
    await kc(ns, 'create', 'pdb', 'half', '--selector=app=web', '--max-unavailable=50%');
    await kc(ns, 'create', 'pdb', 'most', '--selector=app=web', '--min-available=60%');
    // 50% of 4 may be unavailable: 2 must stay; 60% of 4 is 2.4, rounded up to 3.
    await waitCounts(ns, 'half', '4/2/4/2');
    await waitCounts(ns, 'most', '4/3/4/1');
    const rows = (await kc(ns, 'get', 'pdb')).trim().split('\n').slice(1).sort();
    assert.match(rows[0]!, /^half\s+N\/A\s+50%\s+2\s/);
    assert.match(rows[1]!, /^most\s+60%\s+N\/A\s+1\s/);

    // A changed budget is observed again.
    await kc(ns, 'patch', 'pdb', 'most', '--type=merge', '-p', '{"spec":{"minAvailable":"20%"}}');
    const s = await waitCounts(ns, 'most', '4/1/4/3');
    assert.equal(s.observedGeneration, 2);
  });

  it('reports pods without a controller under a percentage, and a budget without pods', async () => {
    const ns = 'pdb-unmanaged';
    await barePod(ns, 'loner', { app: 'loner' });
    await kc(ns, 'create', 'pdb', 'loners', '--selector=app=loner', '--max-unavailable=1');
    await kc(ns, 'create', 'pdb', 'empty', '--selector=app=nothing', '--min-available=1');
    // No controller: no expected pods, so no disruption is allowed.
    await waitCounts(ns, 'loners', '0/0/1/0');
    await waitCounts(ns, 'empty', '0/1/0/0');
    const events = async (reason: string) =>
      kc(ns, 'get', 'events', '--field-selector', `reason=${reason}`, '-o', 'jsonpath={.items[*].message}');
    await until(
      'UnmanagedPods event',
      async () => (await events('UnmanagedPods')).includes('were found to be unmanaged'),
      WAIT_MS,
    );
    assert.match(
      await events('UnmanagedPods'),
      /^Pods selected by this PodDisruptionBudget \(selector: &LabelSelector\{MatchLabels:map\[string\]string\{app: loner,\},/,
    );
    await until(
      'NoPods event',
      async () => (await events('NoPods')).includes('No matching pods found'),
      WAIT_MS,
    );
  });
});
