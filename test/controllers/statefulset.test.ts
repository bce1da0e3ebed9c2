/** The StatefulSet controller in a `k8ts server` with nodes, driven by real kubectl. */
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

interface SetOptions {
  replicas?: number;
  policy?: 'OrderedReady' | 'Parallel';
  strategy?: string;
  scheduler?: string;
  claims?: boolean;
  retention?: string;
  start?: number;
}

/** A StatefulSet manifest with app=<name> pods running nginx:1.25. */
function statefulSet(name: string, o: SetOptions = {}): string {
  return `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${name}-headless
  replicas: ${o.replicas ?? 3}
  podManagementPolicy: ${o.policy ?? 'OrderedReady'}
  ${o.strategy ? `updateStrategy: ${o.strategy}` : ''}
  ${o.retention ? `persistentVolumeClaimRetentionPolicy: ${o.retention}` : ''}
  ${o.start !== undefined ? `ordinals: {start: ${o.start}}` : ''}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${o.scheduler ? `schedulerName: ${o.scheduler}` : ''}
      containers: [{name: nginx, image: "nginx:1.25"}]
  ${
    o.claims
      ? `volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`
      : ''
  }
`;
}

describe('StatefulSet controller', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string, k: Kubectl = k33) =>
    kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const kc = async (...args: string[]) => ok(await run(args), `kubectl ${args.join(' ')}`);
  const apply = async (manifest: string) => ok(await run(['apply', '-f', '-'], manifest), 'apply');
  const jsonpath = (what: string, path: string) => kc('get', ...what.split(' '), '-o', `jsonpath=${path}`);
  const podNames = async (app: string) =>
    (await jsonpath(`pods -l app=${app}`, '{.items[*].metadata.name}')).split(' ').filter(Boolean).sort();
  const images = async (app: string) =>
    jsonpath(`pods -l app=${app}`, '{range .items[*]}{.metadata.name}={.spec.containers[0].image} {end}');
  const rolledOut = (name: string) =>
    until(
      `${name} rolled out`,
      async () => (await run(['rollout', 'status', `sts/${name}`, '--timeout=1s'])).code === 0,
      30_000,
    );
  const events = (name: string) =>
    jsonpath(
      `events --field-selector involvedObject.name=${name}`,
      '{range .items[*]}{.message}{"\\n"}{end}',
    );

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('OrderedReady creates pods one by one in ordinal order and removes them in reverse', async () => {
    const history = await PodHistory.start(cluster.kubeconfig, 'app=ordered');
    try {
      await apply(statefulSet('ordered'));
      await rolledOut('ordered');
      assert.deepEqual(history.order('added'), ['ordered-0', 'ordered-1', 'ordered-2']);
      for (const [prev, next] of [
        ['ordered-0', 'ordered-1'],
        ['ordered-1', 'ordered-2'],
      ] as const)
        assert.ok(
          history.index('ready', prev) < history.index('added', next),
          `${next} was created before ${prev} was Ready: ${JSON.stringify(history.events)}`,
        );

      await kc('scale', 'statefulset', 'ordered', '--replicas=5');
      await until('5 ready', async () => (await jsonpath('sts ordered', '{.status.readyReplicas}')) === '5');
      assert.ok(history.index('ready', 'ordered-3') < history.index('added', 'ordered-4'));

      history.clear();
      assert.match(await kc('scale', 'statefulset', 'ordered', '--replicas=1'), /scaled/);
      await until('scaled down to 1', async () => (await podNames('ordered')).join() === 'ordered-0', 30_000);
      assert.deepEqual(history.order('deleting'), ['ordered-4', 'ordered-3', 'ordered-2', 'ordered-1']);
      for (const [gone, next] of [
        ['ordered-4', 'ordered-3'],
        ['ordered-3', 'ordered-2'],
        ['ordered-2', 'ordered-1'],
      ] as const)
        assert.ok(
          history.index('deleted', gone) < history.index('deleting', next),
          `${next} was deleted before ${gone} was gone`,
        );
    } finally {
      await history.stop();
    }
    const messages = await events('ordered');
    assert.match(messages, /^create Pod ordered-0 in StatefulSet ordered successful$/m);
    assert.match(messages, /^delete Pod ordered-4 in StatefulSet ordered successful$/m);
    const status = JSON.parse(await jsonpath('sts ordered', '{.status}')) as Record<string, unknown>;
    assert.equal(status['replicas'], 1);
    assert.equal(status['readyReplicas'], 1);
    assert.equal(status['availableReplicas'], 1);
    assert.equal(status['observedGeneration'], 3);
    assert.equal(status['currentRevision'], status['updateRevision']);
  });

  it('OrderedReady waits for a pod that never gets Ready; Parallel creates and deletes all at once', async () => {
    await apply(statefulSet('waiting', { scheduler: 'no-such-scheduler' }));
    await apply(statefulSet('parallel', { scheduler: 'no-such-scheduler', policy: 'Parallel' }));
    await until('waiting-0 created', async () => (await podNames('waiting')).length === 1);
    await until('3 parallel pods', async () => (await podNames('parallel')).length === 3);
    assert.deepEqual(await podNames('waiting'), ['waiting-0']);
    assert.equal(await jsonpath('pod waiting-0', '{.status.phase}'), 'Pending');
    assert.equal(await jsonpath('sts parallel', '{.status.replicas} {.status.readyReplicas}'), '3 0');
    await kc('scale', 'sts', 'parallel', '--replicas=0');
    await until('parallel pods gone', async () => (await podNames('parallel')).length === 0);
  });

  it('gives each pod a stable identity and its own claims, owned as the retention policy says', async () => {
    // Volumes for the claims to bind to, as an administrator provides them without a provisioner
    // (the scheduler waits for a pod's claims to be bound).
    for (const i of [2, 3, 4])
      await apply(`
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-web-${i}}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/k8ts-pv-web-${i}}}
`);
    await apply(
      statefulSet('web', {
        claims: true,
        start: 2,
        retention: '{whenDeleted: Delete, whenScaled: Delete}',
      }),
    );
    await rolledOut('web');
    assert.deepEqual(await podNames('web'), ['web-2', 'web-3', 'web-4']);
    const pod = JSON.parse(await kc('get', 'pod', 'web-3', '-o', 'json')) as {
      metadata: { labels: Record<string, string> };
      spec: { hostname: string; subdomain: string; volumes: unknown[] };
    };
    assert.equal(pod.spec.hostname, 'web-3');
    assert.equal(pod.spec.subdomain, 'web-headless');
    assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-3');
    assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '3');
    assert.equal(
      pod.metadata.labels['controller-revision-hash'],
      await jsonpath('sts web', '{.status.updateRevision}'),
    );
    assert.deepEqual(pod.spec.volumes[0], { name: 'www', persistentVolumeClaim: { claimName: 'www-web-3' } });
    const claims = await jsonpath(
      'pvc -l app=web',
      '{range .items[*]}{.metadata.name}:{.metadata.ownerReferences[0].kind} {end}',
    );
    assert.equal(claims.trim(), 'www-web-2:StatefulSet www-web-3:StatefulSet www-web-4:StatefulSet');
    assert.match(await events('web'), /^create Claim www-web-2 Pod web-2 in StatefulSet web success$/m);

    await kc('scale', 'sts', 'web', '--replicas=2');
    await until('web-4 gone', async () => (await podNames('web')).length === 2);
    // The scaled-away pod owns its claim now, so the garbage collector (where it runs) removes the
    // claim with the pod.
    await until('www-web-4 owned by its pod, or gone with it', async () => {
      const r = await run(['get', 'pvc', 'www-web-4', '-o', 'jsonpath={.metadata.ownerReferences[*].kind}']);
      return r.stderr.includes('not found') || r.stdout === 'Pod';
    });
    assert.equal(await jsonpath('pvc www-web-3', '{.metadata.ownerReferences[*].kind}'), 'StatefulSet');
    const described = await kc('describe', 'sts', 'web');
    assert.match(described, /Replicas:\s+2 desired \| 2 total/);
    assert.match(described, /Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
    assert.match(described, /delete Pod web-4 in StatefulSet web successful/);
  });

  it('adopts an orphan pod with its name and labels', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: adopt-1, labels: {app: adopt}}
spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
`);
    const uid = await jsonpath('pod adopt-1', '{.metadata.uid}');
    // OnDelete: under RollingUpdate the adopted pod, lacking a revision label, would be replaced.
    await apply(statefulSet('adopt', { replicas: 2, strategy: '{type: OnDelete}' }));
    await until('adopt-0 and adopt-1 owned', async () => {
      const owners = await jsonpath(
        'pods -l app=adopt',
        '{range .items[*]}{.metadata.name}:{.metadata.ownerReferences[0].name} {end}',
      );
      return owners === 'adopt-0:adopt adopt-1:adopt ';
    });
    assert.equal(await jsonpath('pod adopt-1', '{.metadata.uid}'), uid);
    await until('adopt counts both', async () => (await jsonpath('sts adopt', '{.status.replicas}')) === '2');
  });

  it('recreates a failed pod', async () => {
    await apply(statefulSet('phoenix', { replicas: 2 }));
    await rolledOut('phoenix');
    const uid = await jsonpath('pod phoenix-1', '{.metadata.uid}');
    await kc(
      'patch',
      'pod',
      'phoenix-1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Failed"}}',
    );
    await until('phoenix-1 replaced and ready', async () => {
      const r = await run(['get', 'pod', 'phoenix-1', '-o', 'jsonpath={.metadata.uid} {.status.phase}']);
      return r.code === 0 && !r.stdout.startsWith(uid) && r.stdout.endsWith('Running');
    });
    assert.match(
      await kc(
        'get',
        'events',
        '--field-selector',
        'reason=RecreatingFailedPod',
        '-o',
        'jsonpath={.items[*].message}',
      ),
      /StatefulSet default\/phoenix is recreating failed Pod phoenix-1/,
    );
  });

  it('rolls out from the highest ordinal down to the partition', async () => {
    await apply(statefulSet('part', { strategy: '{type: RollingUpdate, rollingUpdate: {partition: 1}}' }));
    await rolledOut('part');
    const first = await jsonpath('sts part', '{.status.currentRevision}');
    const history = await PodHistory.start(cluster.kubeconfig, 'app=part');
    try {
      await kc('set', 'image', 'sts/part', 'nginx=nginx:1.26');
      const out = await kc('rollout', 'status', 'sts/part', '--timeout=30s');
      assert.match(out, /partitioned roll out complete: 2 new pods have been updated\.\.\./);
      assert.deepEqual(history.order('deleting'), ['part-2', 'part-1']);
      assert.ok(
        history.index('ready', 'part-2', history.index('deleted', 'part-2')) <
          history.index('deleting', 'part-1'),
      );
    } finally {
      await history.stop();
    }
    assert.equal(await images('part'), 'part-0=nginx:1.25 part-1=nginx:1.26 part-2=nginx:1.26 ');
    const [current, update, updated] = (
      await jsonpath(
        'sts part',
        '{.status.currentRevision} {.status.updateRevision} {.status.updatedReplicas}',
      )
    ).split(' ');
    assert.equal(current, first);
    assert.notEqual(update, first);
    assert.equal(updated, '2');

    await kc('patch', 'sts', 'part', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}');
    await until('all updated', async () => (await images('part')).split('1.26').length === 4, 30_000);
    await until('update revision current', async () => {
      const s = await jsonpath('sts part', '{.status.currentRevision} {.status.currentReplicas}');
      return s === `${update} 3`;
    });
  });

  it('with OnDelete only replaces the pods the user deletes', async () => {
    await apply(statefulSet('manual', { replicas: 2, strategy: '{type: OnDelete}' }));
    await until(
      'manual ready',
      async () => (await jsonpath('sts manual', '{.status.readyReplicas}')) === '2',
    );
    await kc('set', 'image', 'sts/manual', 'nginx=nginx:1.26');
    await until('new revision observed', async () => {
      const s = await jsonpath(
        'sts manual',
        '{.status.observedGeneration} {.status.currentRevision} {.status.updateRevision}',
      );
      const [gen, cur, upd] = s.split(' ');
      return gen === '2' && cur !== upd;
    });
    assert.equal(await images('manual'), 'manual-0=nginx:1.25 manual-1=nginx:1.25 ');
    const r = await run(['rollout', 'status', 'sts/manual', '--timeout=1s']);
    assert.match(r.stderr, /rollout status is only available for RollingUpdate strategy type/);
    // --wait=false: the stand-in nodes finish the deletion at once and the namesake comes back
    // within milliseconds, faster than kubectl's wait can observe the deletion.
    await kc('delete', 'pod', 'manual-1', '--wait=false');
    await until(
      'manual-1 recreated with the new image',
      async () => (await images('manual')) === 'manual-0=nginx:1.25 manual-1=nginx:1.26 ',
    );
    assert.equal(await jsonpath('sts manual', '{.status.updatedReplicas} {.status.currentReplicas}'), '1 1');
  });

  for (const k of [k33, k27].filter((x): x is Kubectl => x !== undefined))
    it(`kubectl ${k.version} rollout history and undo`, async () => {
      const name = `hist${k.version.replace('.', '')}`;
      const kk = async (...args: string[]) => ok(await run(args, undefined, k), `kubectl ${args.join(' ')}`);
      await apply(statefulSet(name, { replicas: 2 }));
      await rolledOut(name);
      await kk('set', 'image', `sts/${name}`, 'nginx=nginx:1.26');
      await rolledOut(name);
      assert.match(
        await kk('rollout', 'history', `sts/${name}`),
        /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
      );
      assert.match(await kk('rollout', 'history', `sts/${name}`, '--revision=1'), /Image:\s+nginx:1\.25/);
      assert.match(await kk('rollout', 'undo', `sts/${name}`), /rolled back/);
      await until('rolled back', async () => (await images(name)).split('nginx:1.25').length === 3, 30_000);
      await rolledOut(name);
      // The revision rolled back to is renumbered as the newest.
      assert.match(
        await kk('rollout', 'history', `sts/${name}`),
        /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/,
      );
      assert.match(
        await kk('rollout', 'undo', `sts/${name}`, '--to-revision=3'),
        /skipped rollback \(current template already matches revision 3\)/,
      );
      const revisions = await jsonpath(`controllerrevisions -l app=${name}`, '{.items[*].revision}');
      assert.deepEqual(revisions.split(' ').sort(), ['2', '3']);
    });
});
