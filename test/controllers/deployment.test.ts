/** The Deployment controller in a cluster with nodes, driven by real kubectl 1.33 and 1.27. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod, ReplicaSet } from '../../src/client/objects.js';
import { PODS, REPLICA_SETS } from '../../src/client/resources.js';
import { findKubectls } from '../support/kubectl.js';
import type { Kubectl } from '../support/kubectl.js';
import { until } from '../support/wait.js';
import { startHarness, watchAll } from './workload-harness.js';
import type { Harness } from './workload-harness.js';

const kubectls = findKubectls([33, 27]);
const k = kubectls[0]!;

interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: string;
  spec?: string;
  podSpec?: string;
}

function deployment(name: string, o: DeploymentOptions = {}) {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${o.replicas ?? 3}
  ${o.strategy ? `strategy: ${o.strategy}` : ''}
  ${o.spec ?? ''}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${o.podSpec ?? ''}
      containers: [{name: app, image: ${o.image ?? 'nginx:1.25'}}]
`;
}

interface RSList {
  items: ReplicaSet[];
}

describe('Deployment controller', () => {
  let h: Harness;
  const jsonpath = (what: string, path: string, kc: Kubectl = k) =>
    h.ok(kc, 'get', what, '-o', `jsonpath=${path}`);
  const condition = (name: string, type: string, field = 'reason') =>
    jsonpath(`deploy/${name}`, `{.status.conditions[?(@.type=="${type}")].${field}}`);
  const replicaSets = async (app: string) =>
    (await h.json<RSList>(k, 'get', 'rs', '-l', `app=${app}`)).items.sort(
      (a, b) =>
        Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']),
    );
  const rolledOut = async (name: string, kc: Kubectl = k) => {
    const out = await h.ok(kc, 'rollout', 'status', `deploy/${name}`, '--timeout=60s');
    assert.match(out, new RegExp(`deployment "${name}" successfully rolled out`));
  };

  before(async () => {
    h = await startHarness(3);
  });
  after(async () => {
    await h?.stop();
  });

  for (const kc of kubectls) {
    it(`rolls out, records history and rolls back with kubectl ${kc.version}`, async () => {
      const name = `web${kc.version.replace('.', '')}`;
      await h.apply(kc, deployment(name));
      await rolledOut(name, kc);
      const [first] = await replicaSets(name);
      const hash = first!.metadata.labels?.['pod-template-hash'];
      assert.ok(hash && first!.metadata.name === `${name}-${hash}`, first!.metadata.name);
      assert.equal(first!.spec?.selector.matchLabels?.['pod-template-hash'], hash);
      assert.equal(first!.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
      assert.deepEqual(
        ['revision', 'desired-replicas', 'max-replicas'].map(
          (a) => first!.metadata.annotations?.[`deployment.kubernetes.io/${a}`],
        ),
        ['1', '3', '4'],
      );
      const described = await h.ok(kc, 'describe', 'deploy', name);
      assert.match(described, new RegExp(`NewReplicaSet:\\s+${name}-${hash} \\(3/3 replicas created\\)`));
      assert.match(described, /OldReplicaSets:\s+<none>/);
      assert.match(
        described,
        new RegExp(`ScalingReplicaSet .* Scaled up replica set ${name}-${hash} from 0 to 3`),
      );
      assert.match(described, /Available\s+True\s+MinimumReplicasAvailable/);
      assert.match(described, /Progressing\s+True\s+NewReplicaSetAvailable/);
      assert.equal(
        await condition(name, 'Progressing', 'message'),
        `ReplicaSet "${name}-${hash}" has successfully progressed.`,
      );
      assert.equal(await condition(name, 'Available', 'message'), 'Deployment has minimum availability.');

      await h.ok(kc, 'set', 'image', `deploy/${name}`, 'app=nginx:1.26');
      await h.ok(kc, 'annotate', `deploy/${name}`, 'kubernetes.io/change-cause=upgrade to 1.26');
      await rolledOut(name, kc);
      const history = await h.ok(kc, 'rollout', 'history', `deploy/${name}`);
      assert.match(history, /^1\s+<none>\s*$/m);
      assert.match(history, /^2\s+upgrade to 1\.26\s*$/m);
      const afterUpgrade = await h.ok(kc, 'describe', 'deploy', name);
      assert.match(afterUpgrade, new RegExp(`OldReplicaSets:\\s+${name}-${hash} \\(0/0 replicas created\\)`));
      assert.match(afterUpgrade, new RegExp(`Scaled down replica set ${name}-${hash} from \\d to \\d`));

      assert.match(await h.ok(kc, 'rollout', 'undo', `deploy/${name}`), /rolled back/);
      await rolledOut(name, kc);
      assert.equal(
        await jsonpath(`deploy/${name}`, '{.spec.template.spec.containers[0].image}'),
        'nginx:1.25',
      );
      // The first ReplicaSet is the new one again, as revision 3, remembering it was revision 1.
      const after = await replicaSets(name);
      assert.equal(after.length, 2);
      const back = after.find((r) => r.metadata.name === first!.metadata.name)!;
      assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
      assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
      assert.equal(back.spec?.replicas, 3);
      assert.equal(
        await jsonpath(`deploy/${name}`, '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}'),
        '3',
      );
      const history2 = await h.ok(kc, 'rollout', 'history', `deploy/${name}`);
      assert.match(history2, /^2\s+upgrade to 1\.26\s*$/m);
      assert.match(history2, /^3\s+<none>\s*$/m);
      assert.doesNotMatch(history2, /^1\s/m);

      await h.ok(kc, 'scale', `deploy/${name}`, '--replicas=5');
      await rolledOut(name, kc);
      assert.equal(
        await jsonpath(`deploy/${name}`, '{.status.readyReplicas}/{.status.updatedReplicas}'),
        '5/5',
      );
    });
  }

  it('keeps a rolling update within maxSurge and maxUnavailable (integers and percentages)', async () => {
    let mostWanted = 0;
    let fewestReady = Infinity;
    const rsWatch = await watchAll<ReplicaSet>(h, REPLICA_SETS, 'app=bounded', (all) => {
      mostWanted = Math.max(
        mostWanted,
        all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0),
      );
    });
    const podWatch = await watchAll<Pod>(h, PODS, 'app=bounded', (all) => {
      const ready = all.filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      fewestReady = Math.min(fewestReady, ready);
    });
    try {
      await h.apply(
        k,
        deployment('bounded', {
          replicas: 4,
          strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}',
        }),
      );
      await rolledOut('bounded');
      mostWanted = 0;
      fewestReady = Infinity;
      await h.ok(k, 'set', 'image', 'deploy/bounded', 'app=nginx:1.26');
      await rolledOut('bounded');
      assert.equal(mostWanted, 5, 'replicas + maxSurge 1');
      assert.equal(fewestReady, 4, 'maxUnavailable 0: never fewer than 4 ready');

      await h.ok(
        k,
        'patch',
        'deploy/bounded',
        '--type=merge',
        '-p',
        '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":"50%","maxUnavailable":"25%"}}}}',
      );
      await rolledOut('bounded');
      mostWanted = 0;
      fewestReady = Infinity;
      await h.ok(k, 'set', 'image', 'deploy/bounded', 'app=nginx:1.27');
      await rolledOut('bounded');
      assert.ok(mostWanted <= 6, `50% of 4 rounds up to a surge of 2, saw ${mostWanted}`);
      assert.ok(fewestReady >= 3, `25% of 4 rounds down to 1 unavailable, saw ${fewestReady} ready`);
      const max = await jsonpath(
        'rs',
        '{.items[*].metadata.annotations.deployment\\.kubernetes\\.io/max-replicas}',
      );
      assert.match(max, /\b6\b/);
    } finally {
      await rsWatch.stop();
      await podWatch.stop();
    }
  });

  for (const kc of kubectls) {
    it(`pauses, resumes and restarts with kubectl ${kc.version}`, async () => {
      const name = `paused${kc.version.replace('.', '')}`;
      await h.apply(kc, deployment(name, { replicas: 2 }));
      await rolledOut(name, kc);
      await h.ok(kc, 'rollout', 'pause', `deploy/${name}`);
      await until(
        'paused condition',
        async () => (await condition(name, 'Progressing')) === 'DeploymentPaused',
      );
      assert.equal(await condition(name, 'Progressing', 'message'), 'Deployment is paused');
      assert.equal(await condition(name, 'Progressing', 'status'), 'Unknown');
      await h.ok(kc, 'set', 'image', `deploy/${name}`, 'app=nginx:1.26');
      await until('spec observed', async () => {
        const [gen, seen] = (
          await jsonpath(`deploy/${name}`, '{.metadata.generation} {.status.observedGeneration}')
        ).split(' ');
        return gen === seen;
      });
      assert.equal((await replicaSets(name)).length, 1, 'no new ReplicaSet while paused');
      await h.ok(kc, 'rollout', 'resume', `deploy/${name}`);
      await rolledOut(name, kc);
      assert.equal((await replicaSets(name)).length, 2);
      assert.equal(await condition(name, 'Progressing'), 'NewReplicaSetAvailable');

      await h.ok(kc, 'rollout', 'restart', `deploy/${name}`);
      await rolledOut(name, kc);
      const [first, second, restarted] = await replicaSets(name);
      assert.deepEqual([first?.spec?.replicas, second?.spec?.replicas, restarted?.spec?.replicas], [0, 0, 2]);
      assert.ok(restarted?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);

      // kubectl refuses to roll a paused Deployment back (its own check, on the Deployment we report).
      await h.ok(kc, 'rollout', 'pause', `deploy/${name}`);
      const undo = await h.run(kc, 'rollout', 'undo', `deploy/${name}`);
      assert.match(undo.stderr, /you cannot rollback a paused deployment; resume it first/);
    });
  }

  it('holds availability back for minReadySeconds', async () => {
    await h.apply(k, deployment('settling', { replicas: 2, spec: 'minReadySeconds: 2' }));
    const out = await h.ok(k, 'rollout', 'status', 'deploy/settling', '--timeout=60s');
    assert.match(
      out,
      /Waiting for deployment "settling" rollout to finish: 0 of 2 updated replicas are available/,
    );
    assert.match(out, /deployment "settling" successfully rolled out/);
    const [rs] = await replicaSets('settling');
    assert.equal(rs?.spec?.minReadySeconds, 2);
    assert.equal(rs?.status?.availableReplicas, 2);
  });

  it('Recreate removes every old pod before creating new ones', async () => {
    const violations: string[] = [];
    let newHash = '';
    const watch = await watchAll<Pod>(h, PODS, 'app=recreated', (all, change) => {
      const hash = change.obj.metadata.labels?.['pod-template-hash'];
      if (change.kind !== 'add' || !newHash || hash !== newHash) return;
      const old = all.filter((p) => p.metadata.labels?.['pod-template-hash'] !== newHash);
      if (old.length)
        violations.push(`${change.obj.metadata.name} created while ${old.length} old pods exist`);
    });
    try {
      await h.apply(k, deployment('recreated', { replicas: 3, strategy: '{type: Recreate}' }));
      await rolledOut('recreated');
      // The new template's hash is known once its ReplicaSet exists; record from the patch on.
      const rsWatch = await watchAll<ReplicaSet>(h, REPLICA_SETS, 'app=recreated', (_all, change) => {
        if (change.kind === 'add') newHash = change.obj.metadata.labels?.['pod-template-hash'] ?? '';
      });
      await h.ok(k, 'set', 'image', 'deploy/recreated', 'app=nginx:1.26');
      await rolledOut('recreated');
      await rsWatch.stop();
      assert.ok(newHash);
      assert.deepEqual(violations, []);
      const events = await h.ok(k, 'describe', 'deploy', 'recreated');
      assert.match(events, /Scaled down replica set recreated-\w+ from 3 to 0/);
      assert.match(events, /Scaled up replica set recreated-\w+ from 0 to 3/);
    } finally {
      await watch.stop();
    }
  });

  it('reports ProgressDeadlineExceeded when a rollout makes no progress', async () => {
    await h.apply(
      k,
      deployment('stuck', {
        replicas: 2,
        spec: 'progressDeadlineSeconds: 2',
        podSpec: 'schedulerName: other',
      }),
    );
    const r = await h.run(k, 'rollout', 'status', 'deploy/stuck', '--timeout=30s');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployment "stuck" exceeded its progress deadline/);
    const [rs] = await replicaSets('stuck');
    assert.equal(await condition('stuck', 'Progressing', 'status'), 'False');
    assert.equal(await condition('stuck', 'Progressing'), 'ProgressDeadlineExceeded');
    assert.equal(
      await condition('stuck', 'Progressing', 'message'),
      `ReplicaSet "${rs!.metadata.name}" has timed out progressing.`,
    );
    assert.equal(await condition('stuck', 'Available', 'status'), 'False');
    assert.equal(await condition('stuck', 'Available'), 'MinimumReplicasUnavailable');
    assert.equal(
      await condition('stuck', 'Available', 'message'),
      'Deployment does not have minimum availability.',
    );
  });

  it('prunes old ReplicaSets beyond revisionHistoryLimit', async () => {
    await h.apply(k, deployment('pruned', { replicas: 1, spec: 'revisionHistoryLimit: 1' }));
    await rolledOut('pruned');
    for (const v of ['1.26', '1.27', '1.28']) {
      await h.ok(k, 'set', 'image', 'deploy/pruned', `app=nginx:${v}`);
      await rolledOut('pruned');
    }
    await until('two ReplicaSets left', async () => (await replicaSets('pruned')).length === 2);
    const revisions = (await replicaSets('pruned')).map(
      (r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'],
    );
    assert.deepEqual(revisions, ['3', '4']);
    const history = await h.ok(k, 'rollout', 'history', 'deploy/pruned');
    assert.doesNotMatch(history, /^[12]\s/m);
  });

  it('scales old and new ReplicaSets proportionally when resized mid-rollout', async () => {
    await h.apply(
      k,
      deployment('split', {
        replicas: 10,
        strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 3, maxUnavailable: 2}}',
      }),
    );
    await rolledOut('split');
    // New pods that never get scheduled: the rollout stops at 8 old + 5 new.
    await h.ok(
      k,
      'patch',
      'deploy/split',
      '--type=merge',
      '-p',
      '{"spec":{"template":{"spec":{"schedulerName":"other"}}}}',
    );
    const sizes = async () => (await replicaSets('split')).map((r) => r.spec?.replicas).join(',');
    await until('8 old + 5 new', async () => (await sizes()) === '8,5');
    await h.ok(k, 'scale', 'deploy/split', '--replicas=15');
    await until('11 old + 7 new', async () => (await sizes()) === '11,7');
    const [old, fresh] = await replicaSets('split');
    const described = await h.ok(k, 'describe', 'deploy', 'split');
    assert.match(
      described,
      new RegExp(`OldReplicaSets:\\s+${old!.metadata.name} \\(11/11 replicas created\\)`),
    );
    assert.match(
      described,
      new RegExp(`NewReplicaSet:\\s+${fresh!.metadata.name} \\(7/7 replicas created\\)`),
    );
    assert.match(described, new RegExp(`Scaled up replica set ${old!.metadata.name} from 8 to 11`));
    assert.match(described, new RegExp(`Scaled up replica set ${fresh!.metadata.name} from 5 to 7`));
    assert.match(
      described,
      /Replicas:\s+15 desired \| 7 updated \| 18 total \| 11 available \| 7 unavailable/,
    );
  });
});
