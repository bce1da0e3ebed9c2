/**
 * The node lifecycle and taint eviction controllers against simulated nodes whose heartbeats are stopped
 * with `kubectl annotate node sim-N k8ts.io/simulated-heartbeat=stopped`, with short monitor periods.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;
const HEARTBEAT = 'k8ts.io/simulated-heartbeat';

interface Taint {
  key: string;
  effect: string;
  timeAdded?: string;
}
interface NodeJson {
  metadata: { name: string };
  spec: { taints?: Taint[] };
  status: { conditions: { type: string; status: string; reason: string; message: string }[] };
}

describe('node lifecycle', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const node = async (name: string) =>
    JSON.parse(ok(await run('get', 'node', name, '-o', 'json'), `get node ${name}`)) as NodeJson;
  const ready = (n: NodeJson) => n.status.conditions.find((c) => c.type === 'Ready');
  const taints = (n: NodeJson) => (n.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
  const podExists = async (name: string) => (await run('get', 'pod', name)).code === 0;
  const createPod = async (name: string, nodeName: string, tolerationSeconds?: number) =>
    ok(
      await kubectl(
        k,
        server.kubeconfig,
        cache.dir,
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name },
          spec: {
            nodeName,
            containers: [{ name: 'app', image: 'nginx:1.25' }],
            ...(tolerationSeconds !== undefined
              ? {
                  tolerations: [
                    {
                      key: 'node.kubernetes.io/unreachable',
                      operator: 'Exists',
                      effect: 'NoExecute',
                      tolerationSeconds,
                    },
                  ],
                }
              : {}),
          },
        }),
      ),
      `create pod ${name}`,
    );
  const running = async (name: string) =>
    ok(await run('get', 'pod', name, '-o', 'jsonpath={.status.phase}'), name) === 'Running';

  before(async () => {
    server = await startServer([
      '--simulated-nodes',
      '3',
      '--simulated-node-lease-duration',
      '2',
      '--node-monitor-grace-period',
      '4s',
      '--node-monitor-period',
      '500ms',
      '--node-eviction-rate',
      '10',
    ]);
    await until(
      'three Ready nodes',
      async () => {
        const out = (await run('get', 'nodes', '--no-headers')).stdout;
        return (out.match(/ Ready /g) ?? []).length === 3;
      },
      20_000,
    );
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('marks a silent node Unknown and tainted, evicts pods past their toleration, and recovers', async () => {
    await createPod('short', 'sim-1', 1);
    await createPod('patient', 'sim-1');
    await createPod('elsewhere', 'sim-0', 1);
    await until('pods running', async () => (await running('short')) && (await running('patient')));

    ok(await run('annotate', 'node', 'sim-1', `${HEARTBEAT}=stopped`), 'stop heartbeat');
    await until(
      'sim-1 NotReady with unreachable taints',
      async () => {
        const n = await node('sim-1');
        return (
          ready(n)?.status === 'Unknown' &&
          taints(n).join() ===
            'node.kubernetes.io/unreachable:NoExecute,node.kubernetes.io/unreachable:NoSchedule'
        );
      },
      20_000,
    );
    const silent = await node('sim-1');
    assert.equal(ready(silent)?.reason, 'NodeStatusUnknown');
    assert.equal(ready(silent)?.message, 'Kubelet stopped posting node status.');
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure'])
      assert.equal(silent.status.conditions.find((c) => c.type === type)?.status, 'Unknown', type);
    assert.ok(
      silent.spec.taints!.every((t) => t.timeAdded),
      'taints carry timeAdded',
    );
    assert.match(ok(await run('get', 'node', 'sim-1', '--no-headers'), 'get node'), /^sim-1\s+NotReady\s/);

    // The pod tolerating unreachable for 1 s goes; the one with the default 300 s stays.
    await until('short evicted', async () => !(await podExists('short')), 20_000);
    assert.ok(await podExists('patient'));
    assert.ok(await podExists('elsewhere'), 'pods on healthy nodes are left alone');
    const events = ok(await run('get', 'events', '-o', 'wide'), 'events');
    assert.match(events, /TaintManagerEviction\s+pod\/short\s+Marking for deletion Pod default\/short/);
    assert.match(events, /NodeNotReady\s+node\/sim-1\s+Node sim-1 status is now: NodeNotReady/);
    assert.match(events, /NodeNotReady\s+pod\/patient\s+Node is not ready/);
    const patientReady = ok(
      await run('get', 'pod', 'patient', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'),
      'patient ready',
    );
    assert.equal(patientReady, 'False');

    ok(await run('annotate', 'node', 'sim-1', `${HEARTBEAT}-`), 'resume heartbeat');
    await until(
      'sim-1 Ready and untainted',
      async () => {
        const n = await node('sim-1');
        return ready(n)?.status === 'True' && taints(n).length === 0;
      },
      20_000,
    );
    await until('patient Ready again', async () => {
      const r = await run(
        'get',
        'pod',
        'patient',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      );
      return r.stdout === 'True';
    });
    await until('the eviction of patient cancelled', async () =>
      /TaintManagerEviction\s+pod\/patient\s+Cancelling deletion of Pod default\/patient/.test(
        (await run('get', 'events', '-o', 'wide')).stdout,
      ),
    );
    assert.ok(await podExists('patient'));
    ok(await run('delete', 'pod', 'patient', 'elsewhere', '--timeout=20s'), 'clean up');
  });

  it('recreates the evicted pods of a Deployment on the nodes still up', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'spread', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'spread' } },
        template: {
          metadata: { labels: { app: 'spread' } },
          spec: {
            containers: [{ name: 'c', image: 'nginx' }],
            // One per node, so a replacement has to go to the node without one.
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: { app: 'spread' } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                ],
              },
            },
            tolerations: ['unreachable', 'not-ready'].map((t) => ({
              key: `node.kubernetes.io/${t}`,
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 1,
            })),
          },
        },
      },
    };
    ok(
      await kubectl(k, server.kubeconfig, cache.dir, ['apply', '-f', '-'], JSON.stringify(deployment)),
      'apply deployment',
    );
    const placement = async () =>
      ok(
        await run(
          'get',
          'pods',
          '-l',
          'app=spread',
          '-o',
          'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase}{" "}{end}',
        ),
        'placement',
      )
        .trim()
        .split(' ')
        .filter(Boolean);
    let before: string[] = [];
    await until('two pods running on two nodes', async () => {
      before = await placement();
      return before.length === 2 && before.every((p) => p.endsWith('=Running'));
    });
    const victim = before[0]!.split('=')[0]!;
    ok(await run('annotate', 'node', victim, `${HEARTBEAT}=stopped`), 'stop heartbeat');
    await until(
      `a replacement running away from ${victim}`,
      async () => {
        const now = await placement();
        return now.length === 2 && now.every((p) => p.endsWith('=Running') && !p.startsWith(`${victim}=`));
      },
      30_000,
    );
    ok(await run('annotate', 'node', victim, `${HEARTBEAT}-`), 'resume heartbeat');
    // Leave the nodes as the next test expects them: Ready, untainted, and no Deployment pods.
    await until(
      `${victim} Ready and untainted`,
      async () => {
        const n = await node(victim);
        return ready(n)?.status === 'True' && taints(n).length === 0;
      },
      20_000,
    );
    ok(await run('delete', 'deployment', 'spread'), 'clean up');
    await until('spread pods gone', async () => (await placement()).length === 0, 20_000);
  });

  it('stops evicting when every node is down (full disruption), and resumes when they return', async () => {
    await createPod('survivor', 'sim-2', 10);
    await until('survivor running', () => running('survivor'));
    for (const n of ['sim-0', 'sim-1', 'sim-2'])
      ok(await run('annotate', 'node', n, `${HEARTBEAT}=stopped`), `stop ${n}`);
    await until(
      'all nodes Unknown, with NoSchedule but no NoExecute taints',
      async () => {
        for (const name of ['sim-0', 'sim-1', 'sim-2']) {
          const n = await node(name);
          if (ready(n)?.status !== 'Unknown') return false;
          if (taints(n).join() !== 'node.kubernetes.io/unreachable:NoSchedule') return false;
        }
        return true;
      },
      30_000,
    );
    assert.ok(await podExists('survivor'));
    const deleting = ok(
      await run('get', 'pod', 'survivor', '-o', 'jsonpath={.metadata.deletionTimestamp}'),
      'survivor deletionTimestamp',
    );
    assert.equal(deleting, '', 'no pod is evicted while every node is down');

    for (const n of ['sim-0', 'sim-1', 'sim-2'])
      ok(await run('annotate', 'node', n, `${HEARTBEAT}-`), `resume ${n}`);
    await until(
      'all nodes Ready and untainted',
      async () => {
        const out = ok(await run('get', 'nodes', '-o', 'json'), 'nodes');
        const items = (JSON.parse(out) as { items: NodeJson[] }).items;
        return items.every((n) => ready(n)?.status === 'True' && taints(n).length === 0);
      },
      20_000,
    );
    assert.ok(await podExists('survivor'));
  });
});
