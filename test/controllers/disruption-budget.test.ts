/** PodDisruptionBudget arithmetic: counts and percentages, healthy pods, pending evictions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodDisruptionBudget } from '../../src/client/objects.js';
import { scaledValueFromIntOrPercent } from '../../src/controllers/common/int-or-percent.js';
import {
  DELETION_TIMEOUT_MS,
  budgetStatus,
  countHealthyPods,
  expectedPodCount,
  pendingDisruptions,
} from '../../src/controllers/disruption/budget.js';
import type { ScaleFinder } from '../../src/controllers/disruption/budget.js';

const pod = (name: string, opts: { owner?: string; ready?: boolean; deleting?: boolean } = {}): Pod =>
  ({
    metadata: {
      name,
      uid: name,
      ...(opts.deleting ? { deletionTimestamp: '2020-01-01T00:00:00Z' } : {}),
      ...(opts.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: opts.owner,
                uid: opts.owner,
                controller: true,
              },
            ],
          }
        : {}),
    },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  }) as unknown as Pod;
const pdb = (spec: Record<string, unknown>) =>
  ({ metadata: { name: 'b', generation: 3 }, spec }) as unknown as PodDisruptionBudget;
const scales: ScaleFinder = (ref) =>
  Promise.resolve(
    ref.name === 'missing' ? undefined : { uid: ref.uid, replicas: ref.name === 'rs5' ? 5 : 3 },
  );

describe('disruption budget arithmetic', () => {
  it('scales percentages against the controllers, rounding up', async () => {
    const pods = [pod('a', { owner: 'rs5' }), pod('b', { owner: 'rs5' }), pod('c', { owner: 'rs3' })];
    assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: '25%' }), pods, scales), {
      expected: 8,
      desired: 6,
      unmanaged: [],
    });
    assert.deepEqual(await expectedPodCount(pdb({ minAvailable: '34%' }), pods, scales), {
      expected: 8,
      desired: 3,
      unmanaged: [],
    });
    assert.deepEqual(await expectedPodCount(pdb({ minAvailable: 2 }), pods, scales), {
      expected: 3,
      desired: 2,
      unmanaged: [],
    });
    const loner = await expectedPodCount(pdb({ maxUnavailable: 1 }), [...pods, pod('x')], scales);
    assert.deepEqual(loner.unmanaged, ['x']);
    await assert.rejects(
      expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('y', { owner: 'missing' })], scales),
      {
        message: 'found no controllers for pod "y"',
      },
    );
    assert.throws(() => scaledValueFromIntOrPercent('5', 10, true), /string is not a percentage/);
    assert.equal(scaledValueFromIntOrPercent('15%', 10, false), 1);
  });

  it('counts ready pods not being deleted nor evicted, and forgets evictions that are done or overdue', () => {
    const now = Date.parse('2030-01-01T00:10:00Z');
    const recent = new Date(now - 1000).toISOString();
    const old = new Date(now - DELETION_TIMEOUT_MS - 1000).toISOString();
    const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
    const { pending, overdue, recheckAt } = pendingDisruptions(
      pods,
      { d: recent, e: old, c: recent, gone: recent },
      now,
    );
    assert.deepEqual(pending, { d: recent });
    assert.deepEqual(
      overdue.map((p) => p.metadata.name),
      ['e'],
    );
    assert.equal(recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
    assert.equal(countHealthyPods(pods, pending, now), 2);

    const status = budgetStatus(
      pdb({ minAvailable: 1 }),
      { currentHealthy: 2, desiredHealthy: 1, expectedPods: 5 },
      pending,
    );
    assert.equal(status.disruptionsAllowed, 1);
    assert.equal(status.observedGeneration, 3);
    assert.deepEqual(status.disruptedPods, { d: recent });
    assert.deepEqual(
      status.conditions?.map((c) => [c.type, c.status, c.reason]),
      [['DisruptionAllowed', 'True', 'SufficientPods']],
    );
    // No expected pods: no disruption, however many are healthy.
    assert.equal(
      budgetStatus(pdb({}), { currentHealthy: 2, desiredHealthy: 0, expectedPods: 0 }, {}).disruptionsAllowed,
      0,
    );
  });
});
