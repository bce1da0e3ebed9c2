/** The ReplicaSet and ReplicationController controllers in a cluster with nodes, driven by real kubectl. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/client/objects.js';
import { PODS } from '../../src/client/resources.js';
import { findKubectls } from '../support/kubectl.js';
import { until } from '../support/wait.js';
import { startHarness, watchAll } from './workload-harness.js';
import type { Harness } from './workload-harness.js';

const k = findKubectls([33])[0]!;

interface PodList {
  items: Pod[];
}

function replicaSet(
  name: string,
  replicas: number,
  extra: { minReadySeconds?: number; labels?: string } = {},
) {
  return `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  ${extra.minReadySeconds ? `minReadySeconds: ${extra.minReadySeconds}` : ''}
  selector: {matchLabels: {rs: ${name}}}
  template:
    metadata: {labels: {rs: ${name}${extra.labels ? `, ${extra.labels}` : ''}}}
    spec: {containers: [{name: c, image: busybox}]}
`;
}

/** A bare pod with the given labels; `scheduled: false` keeps it unscheduled, `node` pins it Pending to a node that never runs it. */
function orphan(name: string, labels: string, opts: { unscheduled?: boolean; ghostNode?: boolean } = {}) {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {${labels}}}
spec:
  ${opts.unscheduled ? 'schedulerName: other' : ''}
  ${opts.ghostNode ? 'nodeName: ghost' : ''}
  containers: [{name: c, image: busybox}]
`;
}

describe('ReplicaSet and ReplicationController controllers', () => {
  let h: Harness;
  const pods = async (selector: string) =>
    (await h.json<PodList>(k, 'get', 'pods', '-l', selector)).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const jsonpath = (what: string, path: string) => h.ok(k, 'get', what, '-o', `jsonpath=${path}`);

  before(async () => {
    h = await startHarness(3);
  });
  after(async () => {
    await h?.stop();
  });

  it('creates exactly the missing pods and deletes exactly the surplus', async () => {
    // Every pod the ReplicaSet ever had, by name, and the most that existed at once.
    const seen = new Set<string>();
    let most = 0;
    const watch = await watchAll<Pod>(h, PODS, 'rs=exact', (all) => {
      for (const p of all) seen.add(p.metadata.name);
      most = Math.max(most, all.filter((p) => !p.metadata.deletionTimestamp).length);
    });
    try {
      await h.apply(k, replicaSet('exact', 0));
      await h.ok(k, 'scale', 'rs', 'exact', '--replicas=10');
      await until('10 ready', async () => (await jsonpath('rs/exact', '{.status.readyReplicas}')) === '10');
      assert.equal(seen.size, 10, 'no pod beyond the ten asked for was ever created');
      assert.equal(most, 10);
      await h.ok(k, 'scale', 'rs', 'exact', '--replicas=4');
      await until('4 replicas', async () => (await jsonpath('rs/exact', '{.status.replicas}')) === '4');
      await until('6 pods gone', async () => (await pods('rs=exact')).length === 4);
      assert.equal(seen.size, 10, 'scaling down creates nothing');
      const status = await h.json<{ status: Record<string, number> }>(k, 'get', 'rs', 'exact');
      assert.deepEqual(
        [
          status.status['replicas'],
          status.status['fullyLabeledReplicas'],
          status.status['observedGeneration'],
        ],
        [4, 4, 3],
      );
      const events = await h.ok(
        k,
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=exact',
        '-o',
        'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
      );
      const count = (r: string) => events.split('\n').filter((l) => l === r).length;
      assert.equal(count('SuccessfulCreate'), 10);
      assert.equal(count('SuccessfulDelete'), 6);
    } finally {
      await watch.stop();
    }
  });

  it('releases a pod relabelled away and adopts it back when it matches again', async () => {
    await h.apply(k, replicaSet('adopt', 2));
    await until('2 ready', async () => (await jsonpath('rs/adopt', '{.status.readyReplicas}')) === '2');
    const [first] = await pods('rs=adopt');
    const name = first!.metadata.name;
    await h.ok(k, 'label', 'pod', name, 'rs=elsewhere', '--overwrite');
    await until(
      'released',
      async () =>
        (await jsonpath(`pod/${name}`, '{.metadata.ownerReferences}')) === '' ||
        (await jsonpath(`pod/${name}`, '{.metadata.ownerReferences}')) === '[]',
    );
    await until('replacement made', async () => (await pods('rs=adopt')).length === 2);
    await h.ok(k, 'label', 'pod', name, 'rs=adopt', '--overwrite');
    // Adopted (three pods for two replicas), so one is deleted again: back to exactly two, all owned.
    await until('back to two', async () => (await pods('rs=adopt')).length === 2);
    const uid = await jsonpath('rs/adopt', '{.metadata.uid}');
    for (const p of await pods('rs=adopt'))
      assert.equal(p.metadata.ownerReferences?.find((r) => r.controller)?.uid, uid, p.metadata.name);
  });

  it('deletes unscheduled pods first, then pending ones, keeping running ready pods', async () => {
    // Orphans the ReplicaSet will adopt: one no scheduler will place, one bound to a node that never runs it, one running.
    await h.apply(k, orphan('rank-unscheduled', 'rs: rank', { unscheduled: true }));
    await h.apply(k, orphan('rank-pending', 'rs: rank', { ghostNode: true }));
    await h.apply(k, orphan('rank-running', 'rs: rank'));
    await until('running', async () => (await jsonpath('pod/rank-running', '{.status.phase}')) === 'Running');
    await h.apply(k, replicaSet('rank', 2));
    await until('unscheduled one deleted', async () => (await pods('rs=rank')).length === 2);
    assert.deepEqual((await pods('rs=rank')).map((p) => p.metadata.name).sort(), [
      'rank-pending',
      'rank-running',
    ]);
    await h.ok(k, 'scale', 'rs', 'rank', '--replicas=1');
    await until('pending one deleted', async () => (await pods('rs=rank')).length === 1);
    assert.deepEqual(
      (await pods('rs=rank')).map((p) => p.metadata.name),
      ['rank-running'],
    );
  });

  it('does not adopt for a ReplicaSet that is being deleted', async () => {
    await h.apply(k, replicaSet('doomed', 1));
    await until('1 ready', async () => (await jsonpath('rs/doomed', '{.status.readyReplicas}')) === '1');
    await h.ok(
      k,
      'patch',
      'rs',
      'doomed',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["example.com/hold"]}}',
    );
    await h.ok(k, 'delete', 'rs', 'doomed', '--wait=false');
    await h.apply(k, orphan('doomed-orphan', 'rs: doomed'));
    await until(
      'orphan running',
      async () => (await jsonpath('pod/doomed-orphan', '{.status.phase}')) === 'Running',
    );
    // Give the controller a moment to (wrongly) act on the orphan.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await jsonpath('pod/doomed-orphan', '{.metadata.ownerReferences}'), '');
    await h.ok(k, 'patch', 'rs', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  });

  it('reports available replicas only after minReadySeconds', async () => {
    await h.apply(k, replicaSet('slow', 2, { minReadySeconds: 2 }));
    await until('ready', async () => (await jsonpath('rs/slow', '{.status.readyReplicas}')) === '2');
    assert.equal(await jsonpath('rs/slow', '{.status.availableReplicas}'), '');
    await until(
      'available',
      async () => (await jsonpath('rs/slow', '{.status.availableReplicas}')) === '2',
      8000,
    );
  });

  it('reports ReplicaFailure and FailedCreate when pods cannot be created', async (t) => {
    // A template label the pod validation rejects; in a real cluster a ResourceQuota does this.
    const manifest = replicaSet('failing', 2, { labels: 'bad: "not a label value!"' });
    const out = await h.apply(k, manifest).catch(() => undefined);
    if (out === undefined) {
      t.skip('the API server validates template labels, so this failure cannot be provoked this way');
      return;
    }
    await until(
      'ReplicaFailure',
      async () =>
        (await jsonpath('rs/failing', '{.status.conditions[?(@.type=="ReplicaFailure")].reason}')) ===
        'FailedCreate',
    );
    const events = await h.ok(k, 'describe', 'rs', 'failing');
    assert.match(events, /Warning\s+FailedCreate\s+.*replicaset-controller\s+Error creating: /);
    // Fixing the template clears the condition.
    await h.apply(k, replicaSet('failing', 2));
    await until(
      'condition cleared',
      async () => (await jsonpath('rs/failing', '{.status.conditions}')) === '',
    );
  });

  it('runs ReplicationControllers the same way', async () => {
    await h.apply(
      k,
      `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {rc: legacy}}
    spec: {containers: [{name: c, image: busybox}]}
`,
    );
    await until('2 ready', async () => (await jsonpath('rc/legacy', '{.status.readyReplicas}')) === '2');
    await h.ok(k, 'scale', 'rc', 'legacy', '--replicas=3');
    await until('3 ready', async () => (await jsonpath('rc/legacy', '{.status.readyReplicas}')) === '3');
    assert.equal((await pods('rc=legacy')).length, 3);
    const owner = (await pods('rc=legacy'))[0]!.metadata.ownerReferences?.[0];
    assert.deepEqual(
      [owner?.kind, owner?.name, owner?.controller],
      ['ReplicationController', 'legacy', true],
    );
    await h.ok(k, 'scale', 'rc', 'legacy', '--replicas=1');
    await until('1 left', async () => (await pods('rc=legacy')).length === 1);
    const describe = await h.ok(k, 'describe', 'rc', 'legacy');
    assert.match(describe, /Normal\s+SuccessfulDelete\s+.*replication-controller\s+Deleted pod: legacy-/);
    assert.match(describe, /Pods Status:\s+1 Running/);
  });
});
