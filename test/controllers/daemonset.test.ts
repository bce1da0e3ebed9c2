/** The DaemonSet controller in a `k8ts server` with three nodes, driven by real kubectl. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import type { Kubectl } from '../support/kubectl.js';
import { PodHistory } from '../support/pod-history.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const [k33, k27] = [findKubectls([33])[0]!, findKubectls([27])[0]];

/** A DaemonSet manifest with app=<name> pods; `spec` lines go into the pod spec. */
function daemonSet(name: string, o: { spec?: string; strategy?: string } = {}): string {
  return `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  ${o.strategy ? `updateStrategy: ${o.strategy}` : ''}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${o.spec ?? ''}
      containers: [{name: agent, image: "busybox:1.36"}]
`;
}

interface PodView {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    nodeName?: string;
    containers: { image: string }[];
    tolerations?: { key?: string; effect?: string; operator?: string }[];
    affinity?: unknown;
  };
  status?: { phase?: string };
}

describe('DaemonSet controller', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string, k: Kubectl = k33) =>
    kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const kc = async (...args: string[]) => ok(await run(args), `kubectl ${args.join(' ')}`);
  const apply = async (manifest: string) => ok(await run(['apply', '-f', '-'], manifest), 'apply');
  const jsonpath = (what: string, path: string) => kc('get', ...what.split(' '), '-o', `jsonpath=${path}`);
  const pods = async (app: string) =>
    (
      JSON.parse(await kc('get', 'pods', '-l', app.includes('=') ? app : `app=${app}`, '-o', 'json')) as {
        items: PodView[];
      }
    ).items.filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp);
  /** node=image of each live pod, sorted by node. */
  const placement = async (app: string) =>
    (await pods(app))
      .map((p) => `${p.spec.nodeName ?? '?'}=${p.spec.containers[0]!.image}`)
      .sort()
      .join(' ');
  const rolledOut = (name: string) =>
    until(
      `${name} rolled out`,
      async () => (await run(['rollout', 'status', `ds/${name}`, '--timeout=1s'])).code === 0,
      30_000,
    );

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('runs one pod on every node, pinned by node affinity and tolerating node conditions', async () => {
    await apply(daemonSet('everywhere'));
    await rolledOut('everywhere');
    assert.equal(
      await placement('everywhere'),
      'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
    );
    const [pod] = await pods('everywhere');
    assert.deepEqual(pod!.spec.affinity, {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod!.spec.nodeName] }] },
          ],
        },
      },
    });
    const tolerations = pod!.spec.tolerations!.map((t) => `${t.key}:${t.effect}`);
    for (const t of [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ])
      assert.ok(tolerations.includes(t), `missing toleration ${t}`);
    assert.ok(!tolerations.includes('node.kubernetes.io/network-unavailable:NoSchedule'));
    assert.equal(
      pod!.metadata.labels['controller-revision-hash'],
      await jsonpath(
        'controllerrevisions -l app=everywhere',
        '{.items[0].metadata.labels.controller-revision-hash}',
      ),
    );
    const status = JSON.parse(await jsonpath('ds everywhere', '{.status}')) as Record<string, number>;
    assert.deepEqual(
      [
        status['desiredNumberScheduled'],
        status['currentNumberScheduled'],
        status['numberReady'],
        status['numberAvailable'],
        status['updatedNumberScheduled'],
        status['numberMisscheduled'],
        status['observedGeneration'],
      ],
      [3, 3, 3, 3, 3, 0, 1],
    );
    const described = await kc('describe', 'ds', 'everywhere');
    assert.match(described, /Desired Number of Nodes Scheduled: 3/);
    assert.match(described, /Number of Nodes Scheduled with Up-to-date Pods: 3/);
    assert.match(described, /SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: everywhere-/);
  });

  it('keeps off a tainted node unless tolerated; NoExecute removes what is there', async () => {
    await kc('taint', 'nodes', 'node-1', 'dedicated=x:NoSchedule');
    try {
      await apply(daemonSet('plain'));
      await apply(daemonSet('tolerant', { spec: 'tolerations: [{key: dedicated, operator: Exists}]' }));
      await rolledOut('plain');
      await rolledOut('tolerant');
      assert.equal(await placement('plain'), 'node-0=busybox:1.36 node-2=busybox:1.36');
      assert.equal(await jsonpath('ds plain', '{.status.desiredNumberScheduled}'), '2');
      assert.equal(
        await placement('tolerant'),
        'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
      );
      // A NoSchedule taint does not evict the pod already running there: it is only misscheduled.
      assert.equal(
        await placement('everywhere'),
        'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
      );
      await until(
        'everywhere misscheduled on node-1',
        async () =>
          (await jsonpath(
            'ds everywhere',
            '{.status.numberMisscheduled} {.status.desiredNumberScheduled}',
          )) === '1 2',
      );

      await kc('taint', 'nodes', 'node-2', 'dedicated=x:NoExecute');
      await until(
        'plain pod leaves node-2',
        async () => (await placement('plain')) === 'node-0=busybox:1.36',
      );
      assert.equal(
        await placement('tolerant'),
        'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
      );
    } finally {
      // Not asserted: a failure above may have left node-2 untainted.
      await run(['taint', 'nodes', 'node-1', 'dedicated-']);
      await run(['taint', 'nodes', 'node-2', 'dedicated-']);
    }
    await until(
      'plain back on every node',
      async () =>
        (await placement('plain')) === 'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
    );
  });

  it('follows the nodeSelector as node labels change, and a new node gets a pod', async () => {
    await kc('label', 'node', 'node-2', 'disk=ssd');
    await apply(daemonSet('ssd', { spec: 'nodeSelector: {disk: ssd}' }));
    await until('pod on node-2', async () => (await placement('ssd')) === 'node-2=busybox:1.36');
    await kc('label', 'node', 'node-0', 'disk=ssd');
    await until(
      'pods on node-0 and node-2',
      async () => (await placement('ssd')) === 'node-0=busybox:1.36 node-2=busybox:1.36',
    );
    await kc('label', 'node', 'node-2', 'disk-');
    await until('pod left node-2', async () => (await placement('ssd')) === 'node-0=busybox:1.36');
    assert.match(await kc('get', 'ds', 'ssd'), /ssd\s+1\s+1\s+1\s+1\s+1\s+disk=ssd/);

    await apply(`
apiVersion: v1
kind: Node
metadata: {name: node-9, labels: {disk: ssd, kubernetes.io/hostname: node-9}}
`);
    await until('a pod for node-9', async () =>
      (await pods('ssd')).some((p) => JSON.stringify(p.spec.affinity).includes('"node-9"')),
    );
    await kc('delete', 'node', 'node-9');
  });

  it('rolls a template change out within maxUnavailable, and OnDelete waits for deletions', async () => {
    await apply(daemonSet('roll'));
    await apply(daemonSet('hold', { strategy: '{type: OnDelete}' }));
    await rolledOut('roll');
    await until('hold ready', async () => (await jsonpath('ds hold', '{.status.numberReady}')) === '3');
    const history = await PodHistory.start(cluster.kubeconfig, 'app=roll');
    try {
      await kc('set', 'image', 'ds/roll', 'agent=busybox:1.37');
      const out = await kc('rollout', 'status', 'ds/roll', '--timeout=30s');
      assert.match(out, /daemon set "roll" successfully rolled out/);
      // maxUnavailable 1, maxSurge 0: an old pod goes before its replacement comes.
      assert.equal(history.maxAlive(), 3);
    } finally {
      await history.stop();
    }
    assert.equal(await placement('roll'), 'node-0=busybox:1.37 node-1=busybox:1.37 node-2=busybox:1.37');

    await kc('set', 'image', 'ds/hold', 'agent=busybox:1.37');
    await until(
      'hold observed',
      async () => (await jsonpath('ds hold', '{.status.observedGeneration}')) === '2',
    );
    assert.equal(await placement('hold'), 'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36');
    assert.equal(await jsonpath('ds hold', '{.status.updatedNumberScheduled}'), '0');
    const onNode1 = (await pods('hold')).find((p) => p.spec.nodeName === 'node-1')!;
    await kc('delete', 'pod', onNode1.metadata.name);
    await until(
      'node-1 runs the new template',
      async () => (await placement('hold')) === 'node-0=busybox:1.36 node-1=busybox:1.37 node-2=busybox:1.36',
    );
  });

  it('releases a pod whose labels no longer match, and replaces it', async () => {
    await apply(daemonSet('rel'));
    await rolledOut('rel');
    const victim = (await pods('rel')).find((p) => p.spec.nodeName === 'node-0')!;
    await kc('label', 'pod', victim.metadata.name, 'app=released', '--overwrite');
    await until('released', async () => {
      const refs = await jsonpath(`pod ${victim.metadata.name}`, '{.metadata.ownerReferences}');
      return refs === '' || refs === '[]';
    });
    await until(
      'node-0 has a rel pod again',
      async () => (await placement('rel')) === 'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
    );
    // Labelled back, it is adopted again, and the node's surplus pod goes.
    await kc('label', 'pod', victim.metadata.name, 'app=rel', '--overwrite');
    await until('one pod per node again', async () => {
      const owned = await pods('rel');
      return owned.length === 3 && new Set(owned.map((p) => p.spec.nodeName)).size === 3;
    });
  });

  it('surges a new pod beside the old one with maxSurge', async () => {
    await apply(
      daemonSet('surge', {
        strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}',
      }),
    );
    await rolledOut('surge');
    const history = await PodHistory.start(cluster.kubeconfig, 'app=surge');
    try {
      await kc('set', 'image', 'ds/surge', 'agent=busybox:1.37');
      await rolledOut('surge');
      await until('old pods gone', async () => (await placement('surge')).split('1.37').length === 4);
      assert.ok(history.maxAlive() >= 4, 'no pod was surged');
      for (const old of history.events.filter((e) => e.step === 'deleting')) {
        const replacement = history.events.find(
          (e) => e.step === 'ready' && e.node === old.node && e.image === 'busybox:1.37',
        );
        assert.ok(replacement, `no new pod was ready on ${old.node} before the old one went`);
        assert.ok(history.events.indexOf(replacement) < history.events.indexOf(old));
      }
    } finally {
      await history.stop();
    }
  });

  for (const k of [k33, k27].filter((x): x is Kubectl => x !== undefined))
    it(`kubectl ${k.version} rollout history and undo`, async () => {
      const name = `hist${k.version.replace('.', '')}`;
      const kk = async (...args: string[]) => ok(await run(args, undefined, k), `kubectl ${args.join(' ')}`);
      await apply(daemonSet(name));
      await rolledOut(name);
      await kk('set', 'image', `ds/${name}`, 'agent=busybox:1.37');
      await rolledOut(name);
      assert.match(
        await kk('rollout', 'history', `ds/${name}`),
        /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
      );
      assert.match(await kk('rollout', 'history', `ds/${name}`, '--revision=1'), /Image:\s+busybox:1\.36/);
      assert.match(await kk('rollout', 'undo', `ds/${name}`), /rolled back/);
      await until(
        'rolled back',
        async () => (await placement(name)) === 'node-0=busybox:1.36 node-1=busybox:1.36 node-2=busybox:1.36',
        30_000,
      );
      assert.match(await kk('rollout', 'status', `ds/${name}`), /successfully rolled out/);
      assert.match(
        await kk('rollout', 'history', `ds/${name}`),
        /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/,
      );
      assert.match(
        await kk('rollout', 'undo', `ds/${name}`, '--to-revision=3'),
        /skipped rollback \(current template already matches revision 3\)/,
      );
    });
});
