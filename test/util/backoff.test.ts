import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/util/backoff.js';

test('backoff doubles from the initial delay up to the cap, and resets', () => {
  const b = new Backoff(25, 300);
  assert.deepEqual(
    [b.next(), b.next(), b.next(), b.next(), b.next(), b.next()],
    [25, 50, 100, 200, 300, 300],
  );
  b.reset();
  assert.equal(b.next(), 25);
  const fast = new Backoff(1000, 10_000, 10);
  assert.deepEqual([fast.next(), fast.next(), fast.next()], [1000, 10_000, 10_000]);
});
