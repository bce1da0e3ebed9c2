import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue, runWorkers } from '../../src/client/workqueue.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  it('never hands a key being processed to a second worker; a re-add waits for done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    assert.equal(q.length, 0, 'the re-added key waits while it is processed');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, undefined);
    q.done(first!);
    await new Promise((r) => setImmediate(r));
    assert.equal(second, 'a');
  });

  it('retries a failing key with growing delays until it is forgotten', async () => {
    const q = new WorkQueue({ baseDelayMs: 20, maxDelayMs: 80 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = Date.now();
      q.addRateLimited('k');
      const k = await q.get();
      delays.push(Date.now() - t0);
      q.done(k!);
    }
    assert.equal(q.retries('k'), 4);
    assert.ok(delays[1]! >= 35 && delays[2]! >= 75 && delays[3]! >= 75, `delays ${delays.join(',')}`);
    q.forget('k');
    assert.equal(q.retries('k'), 0);
  });

  it('keeps the earlier of two pending delays', async () => {
    const q = new WorkQueue();
    q.addAfter('k', 10_000);
    q.addAfter('k', 10);
    assert.equal(await q.get(), 'k');
    q.shutDown();
  });

  it('ends waiting workers on shutdown', async () => {
    const q = new WorkQueue<string>();
    const seen: string[] = [];
    const workers = runWorkers(
      q,
      3,
      async (k) => {
        seen.push(k);
      },
      () => undefined,
    );
    q.add('x');
    q.add('y');
    await new Promise((r) => setTimeout(r, 20));
    q.shutDown();
    await workers;
    assert.deepEqual(seen.sort(), ['x', 'y']);
    assert.equal(await q.get(), undefined);
  });

  it('re-queues keys whose reconcile failed', async () => {
    const q = new WorkQueue<string>({ baseDelayMs: 1 });
    let attempts = 0;
    const workers = runWorkers(
      q,
      1,
      async () => {
        if (++attempts < 3) throw new Error('not yet');
        q.shutDown();
      },
      () => undefined,
    );
    q.add('k');
    await workers;
    assert.equal(attempts, 3);
  });
});
