import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchedulingQueue } from '../../src/scheduler/queue.js';
import { pod } from './fixtures.js';

const queue = (o: Partial<ConstructorParameters<typeof SchedulingQueue>[0]> = {}) =>
  new SchedulingQueue({ priorityOf: (p) => p.spec?.priority ?? 0, ...o });

describe('SchedulingQueue', () => {
  it('hands out higher priority first, then the longest waiting', async () => {
    let t = 0;
    const q = queue({ now: () => ++t });
    q.addOrUpdate('default/a', pod('a', { priority: 1 }));
    q.addOrUpdate('default/b', pod('b', { priority: 10 }));
    q.addOrUpdate('default/c', pod('c', { priority: 1 }));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.key);
    assert.deepEqual(order, ['default/b', 'default/a', 'default/c']);
    q.close();
    assert.equal(await q.pop(), undefined);
  });

  it('backs off 1 s doubling to at most 10 s', () => {
    const q = queue();
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9].map((a) => q.backoffMs(a)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    q.close();
  });

  it('parks unschedulable pods until an event that may help them, then honours their backoff', async () => {
    let now = 1000;
    const q = queue({ now: () => now });
    q.addOrUpdate('default/fit', pod('fit'));
    q.addOrUpdate('default/affinity', pod('affinity'));
    const fit = (await q.pop())!;
    const affinity = (await q.pop())!;
    q.unschedulableAfterAttempt(fit, new Set(['NodeResourcesFit']));
    q.unschedulableAfterAttempt(affinity, new Set(['InterPodAffinity']));
    assert.deepEqual(q.counts().unschedulable, 2);

    now += 5000; // both backoffs (1 s after one attempt) are over
    q.onEvent('AssignedPodAdd'); // helps affinity only
    assert.equal((await q.pop())!.key, 'default/affinity');
    assert.equal(q.get('default/fit')?.where, 'unschedulable');

    q.onEvent('NodeAdd'); // helps everyone
    assert.equal((await q.pop())!.key, 'default/fit');
    q.close();
  });

  it('moves a pod still backing off to the backoff queue, and out of it when the backoff ends', async () => {
    const q = queue({ initialBackoffMs: 30 });
    q.addOrUpdate('default/p', pod('p'));
    const p = (await q.pop())!;
    q.unschedulableAfterAttempt(p, new Set(['NodeResourcesFit']));
    q.onEvent('AssignedPodDelete');
    assert.equal(q.get('default/p')?.where, 'backoff');
    assert.equal((await q.pop())!.key, 'default/p', 'released when the backoff timer fires');
    q.close();
  });

  it('retries a parked pod whose spec changed, but not one whose status changed', async () => {
    const q = queue({ initialBackoffMs: 0 });
    const original = pod('p');
    q.addOrUpdate('default/p', original);
    q.unschedulableAfterAttempt((await q.pop())!, new Set(['NodeAffinity']));
    q.addOrUpdate('default/p', { ...original, status: { phase: 'Pending' } });
    assert.equal(q.get('default/p')?.where, 'unschedulable');
    q.addOrUpdate('default/p', { ...original, spec: { ...original.spec!, nodeSelector: { disk: 'ssd' } } });
    assert.equal(q.get('default/p')?.where, 'active');
    q.close();
  });

  it('holds pods with scheduling gates until the gates are removed', async () => {
    const q = queue();
    const gated = pod('g', { spec: { schedulingGates: [{ name: 'wait' }] } });
    q.addOrUpdate('default/g', gated);
    assert.equal(q.get('default/g')?.where, 'gated');
    q.addOrUpdate('default/g', { ...gated, spec: { ...gated.spec!, schedulingGates: [] } });
    assert.equal((await q.pop())!.key, 'default/g');
    q.close();
  });

  it('forgets deleted pods', async () => {
    const q = queue();
    q.addOrUpdate('default/a', pod('a'));
    q.addOrUpdate('default/b', pod('b'));
    q.delete('default/a');
    assert.equal((await q.pop())!.key, 'default/b');
    assert.equal(q.size, 1);
    q.close();
  });
});
