/** The pure pieces of the ReplicaSet and Deployment controllers: pod ranking, rollout arithmetic, proportional scaling. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, Pod, ReplicaSet } from '../../src/client/objects.js';
import { slowStartBatch } from '../../src/controllers/common/slow-start.js';
import {
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  calculateStatus,
  equalIgnoreHash,
  findActiveOrLatest,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  scaledValue,
  setNewReplicaSetAnnotations,
} from '../../src/controllers/deployment/deployment-util.js';
import { podsToDelete } from '../../src/controllers/common/pod-ranking.js';
import {
  calculateReplicaStatus,
  nextAvailableInMs,
} from '../../src/controllers/replicaset/replica-status.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PodShape {
  name: string;
  node?: string;
  phase?: string;
  readyFor?: number;
  restarts?: number;
  age?: number;
  cost?: number;
}

function pod(p: PodShape): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: 'default',
      uid: `uid-${p.name}`,
      resourceVersion: '1',
      creationTimestamp: ago(p.age ?? 1000),
      labels: { app: 'web' },
      ...(p.cost !== undefined
        ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(p.cost) } }
        : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...(p.node ? { nodeName: p.node } : {}) },
    status: {
      phase: p.phase ?? 'Running',
      conditions:
        p.readyFor !== undefined
          ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(p.readyFor) }]
          : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: p.restarts ?? 0 }],
    },
  } as unknown as Pod;
}

function deployment(spec: Record<string, unknown>, status: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd',
      resourceVersion: '1',
      creationTimestamp: ago(100),
      generation: 1,
    },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      ...spec,
    },
    status,
  };
}

function rs(
  name: string,
  replicas: number,
  age: number,
  annotations: Record<string, string> = {},
  status: Record<string, unknown> = {},
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: ago(age),
      annotations,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: {} },
    status: { replicas, ...status },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('pod ranking for scale-down', () => {
  it('deletes unscheduled, then pending, then not-ready pods before running ready ones', () => {
    const pods = [
      pod({ name: 'ready', node: 'n1', readyFor: 500 }),
      pod({ name: 'running-not-ready', node: 'n1' }),
      pod({ name: 'pending', node: 'n1', phase: 'Pending' }),
      pod({ name: 'unscheduled', phase: 'Pending' }),
      pod({ name: 'unknown', node: 'n1', phase: 'Unknown' }),
    ];
    assert.deepEqual(names(podsToDelete(pods, [], 4, NOW)), [
      'unscheduled',
      'pending',
      'unknown',
      'running-not-ready',
    ]);
  });

  it('prefers a lower deletion cost, then pods doubled up on a node', () => {
    const a = pod({ name: 'a', node: 'n1', readyFor: 500 });
    const b = pod({ name: 'b', node: 'n2', readyFor: 500 });
    const c = pod({ name: 'c', node: 'n2', readyFor: 500 });
    assert.deepEqual(names(podsToDelete([a, b, c], [a, b, c], 2, NOW)).sort(), ['b', 'c']);
    const cheap = pod({ name: 'cheap', node: 'n1', readyFor: 500, cost: -10 });
    assert.deepEqual(names(podsToDelete([b, c, cheap], [b, c, cheap], 1, NOW)), ['cheap']);
  });

  it('deletes the pod ready for less time, then the one with more restarts, then the newer', () => {
    const old = pod({ name: 'old', node: 'n1', readyFor: 100_000 });
    const fresh = pod({ name: 'fresh', node: 'n1', readyFor: 10 });
    assert.deepEqual(names(podsToDelete([old, fresh], [], 1, NOW)), ['fresh']);
    // Ready at the same moment: restarts decide, then age.
    const calm = pod({ name: 'calm', node: 'n1', readyFor: 50, restarts: 0, age: 10 });
    const flappy = pod({ name: 'flappy', node: 'n1', readyFor: 50, restarts: 7, age: 9000 });
    assert.deepEqual(names(podsToDelete([calm, flappy], [], 1, NOW)), ['flappy']);
    const elder = pod({ name: 'elder', node: 'n1', readyFor: 50, age: 100_000 });
    const young = pod({ name: 'young', node: 'n1', readyFor: 50, age: 10 });
    assert.deepEqual(names(podsToDelete([elder, young], [], 1, NOW)), ['young']);
  });

  it('returns all pods without ranking when all go', () => {
    const pods = [pod({ name: 'x', node: 'n' }), pod({ name: 'y' })];
    assert.equal(podsToDelete(pods, [], 5, NOW).length, 2);
  });
});

describe('replica status', () => {
  it('counts fully labelled, ready and available pods and raises ReplicaFailure on create errors', () => {
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r', uid: 'u', resourceVersion: '1', creationTimestamp: ago(1), generation: 2 },
      spec: { replicas: 3, minReadySeconds: 60, template: { metadata: { labels: { app: 'web', v: '2' } } } },
      status: { replicas: 0 },
    };
    const a = pod({ name: 'a', node: 'n', readyFor: 120 });
    a.metadata.labels = { app: 'web', v: '2' };
    const b = pod({ name: 'b', node: 'n', readyFor: 30 });
    const st = calculateReplicaStatus(owner, [a, b], new Error('exceeded quota'), NOW);
    assert.equal(st.replicas, 2);
    assert.equal(st.fullyLabeledReplicas, 1);
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.availableReplicas, 1);
    assert.equal(st.conditions?.[0]?.reason, 'FailedCreate');
    assert.equal(st.conditions?.[0]?.message, 'exceeded quota');
    // b becomes available 30 s from now.
    assert.equal(nextAvailableInMs([a, b], 60, NOW), 30_000);
    const cleared = calculateReplicaStatus({ ...owner, status: st }, [a, b], undefined, NOW);
    assert.equal(cleared.conditions, undefined);
  });
});

describe('rolling update arithmetic', () => {
  it('rounds surge up and unavailability down, never both zero', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 3), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveFenceposts('10%', '10%', 3), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts('0%', '1%', 3), { surge: 0, unavailable: 1 });
    assert.equal(scaledValue('50%', 5, true), 3);
    assert.equal(scaledValue('50%', 5, false), 2);
    assert.equal(scaledValue(4, 100, false), 4);
  });

  it('bounds unavailability by the replica count and ignores the bounds for Recreate', () => {
    const d = deployment({
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 5, maxSurge: 2 } },
    });
    assert.equal(maxUnavailable(d), 3);
    assert.equal(maxSurge(d), 2);
    const r = deployment({ replicas: 3, strategy: { type: 'Recreate' } });
    assert.equal(maxUnavailable(r), 0);
    assert.equal(maxSurge(r), 0);
  });

  it('grows the new ReplicaSet only up to replicas + maxSurge in all', () => {
    const d = deployment({
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    const old = rs('old', 4, 100);
    const fresh = rs('new', 0, 1);
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
    assert.equal(newRSNewReplicas(d, [rs('old', 3, 100), rs('new', 1, 1)], rs('new', 1, 1)), 2);
    assert.equal(newRSNewReplicas(d, [rs('old', 0, 100), rs('new', 3, 1)], rs('new', 3, 1)), 4);
    const recreate = deployment({ replicas: 4, strategy: { type: 'Recreate' } });
    assert.equal(newRSNewReplicas(recreate, [old, fresh], fresh), 4);
  });
});

describe('proportional scaling', () => {
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };

  it('spreads a scale-up over old and new ReplicaSets by size (the documented 10 → 15 example)', () => {
    const d = deployment({ replicas: 15, strategy }, { replicas: 13 });
    const old = rs('old', 8, 100, { [MAX_REPLICAS_ANNOTATION]: '13' });
    const fresh = rs('new', 5, 10, { [MAX_REPLICAS_ANNOTATION]: '13' });
    const { direction, sizes } = proportionalSizes(d, [fresh, old]);
    assert.equal(direction, 'up');
    assert.deepEqual(
      sizes.map(([r, n]) => [r.metadata.name, n]),
      [
        ['old', 11],
        ['new', 7],
      ],
    );
  });

  it('spreads a scale-down, older first on ties, and gives rounding leftovers to the first', () => {
    const d = deployment({ replicas: 5, strategy }, { replicas: 13 });
    const old = rs('old', 5, 100, { [MAX_REPLICAS_ANNOTATION]: '13' });
    const mid = rs('mid', 5, 50, { [MAX_REPLICAS_ANNOTATION]: '13' });
    const fresh = rs('new', 3, 10, { [MAX_REPLICAS_ANNOTATION]: '13' });
    const { direction, sizes } = proportionalSizes(d, [fresh, mid, old]);
    assert.equal(direction, 'down');
    const total = sizes.reduce((n, [, s]) => n + s, 0);
    assert.equal(total, 8); // 5 + maxSurge 3
    assert.equal(sizes[0]?.[0].metadata.name, 'old');
    assert.ok(sizes.every(([, s]) => s >= 0));
  });

  it('scales the only active ReplicaSet, or the newest when none is active', () => {
    const a = rs('a', 0, 100);
    const b = rs('b', 0, 10);
    assert.equal(findActiveOrLatest(undefined, [a, b])?.metadata.name, 'b');
    assert.equal(findActiveOrLatest(rs('n', 2, 1), [a, b])?.metadata.name, 'n');
    assert.equal(findActiveOrLatest(rs('n', 2, 1), [rs('a', 1, 100)]), undefined);
  });
});

describe('revisions, templates and status', () => {
  it('moves a rolled-back ReplicaSet to a new revision and keeps its old one in the history', () => {
    const d = deployment({ replicas: 2 });
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'undo', [REVISION_ANNOTATION]: '3' };
    const back = rs('back', 0, 100, { [REVISION_ANNOTATION]: '1' });
    assert.equal(setNewReplicaSetAnnotations(d, back, 4, true), true);
    assert.equal(back.metadata.annotations?.[REVISION_ANNOTATION], '4');
    assert.equal(back.metadata.annotations?.[REVISION_HISTORY_ANNOTATION], '1');
    assert.equal(back.metadata.annotations?.['kubernetes.io/change-cause'], 'undo');
    setNewReplicaSetAnnotations(d, back, 6, true);
    assert.equal(back.metadata.annotations?.[REVISION_HISTORY_ANNOTATION], '1,4');
    // Revisions never go down.
    assert.equal(setNewReplicaSetAnnotations(d, back, 2, true), false);
  });

  it('compares templates ignoring the hash label and empty fields', () => {
    const a = {
      metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } },
      spec: { containers: [{ name: 'c', image: 'x', env: [] }] },
    };
    const b = {
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    assert.ok(equalIgnoreHash(a, b as never));
    const c = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'y' }] } };
    assert.ok(!equalIgnoreHash(a, c));
  });

  it('reports availability against replicas - maxUnavailable', () => {
    const d = deployment({
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    });
    const fresh = rs('new', 4, 1, {}, { readyReplicas: 3, availableReplicas: 3 });
    const st = calculateStatus([fresh], fresh, d);
    assert.equal(st.updatedReplicas, 4);
    assert.equal(st.unavailableReplicas, 1);
    const avail = st.conditions?.find((c) => c.type === 'Available');
    assert.equal(avail?.status, 'True');
    assert.equal(avail?.message, 'Deployment has minimum availability.');
    const low = rs('new', 4, 1, {}, { availableReplicas: 2 });
    assert.equal(calculateStatus([low], low, d).conditions?.[0]?.reason, 'MinimumReplicasUnavailable');
  });
});

describe('slow start', () => {
  it('creates in batches of 1, 2, 4, ... and stops after the first failing batch', async () => {
    let calls = 0;
    const res = await slowStartBatch(20, 1, async () => {
      calls++;
      if (calls === 5) throw new Error('quota');
    });
    // Batches 1 and 2 succeed; the batch of 4 has one failure; the batch of 8 never starts.
    assert.equal(calls, 7);
    assert.equal(res.successes, 6);
    assert.match(String(res.error), /quota/);
    assert.deepEqual(await slowStartBatch(5, 1, async () => undefined), { successes: 5 });
  });
});
