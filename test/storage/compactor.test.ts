import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Compactor } from '../../src/storage/compactor.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';

test('compactor compacts to the revision of the previous tick, keeping a minimum window', async () => {
  const s = new MemoryStore();
  const c = new Compactor(s, { minRetainRevisions: 10 });
  for (let i = 0; i < 50; i++) await s.create(`k/${i}`, Buffer.from('v'));
  assert.equal(await c.tick(), undefined, 'the first tick only records the revision');
  for (let i = 50; i < 55; i++) await s.create(`k/${i}`, Buffer.from('v'));
  assert.equal(await c.tick(), 45, 'bounded by the minimum window (55 - 10)');
  assert.equal(await s.compactedRevision(), 45);
  for (let i = 55; i < 100; i++) await s.create(`k/${i}`, Buffer.from('v'));
  assert.equal(await c.tick(), 55, 'the revision seen at the previous tick');
  assert.equal(await c.tick(), 90, 'a quiet interval still keeps the minimum window');
  assert.equal(await c.tick(), undefined, 'nothing new: nothing to do');
  assert.equal((await s.list('k/')).items.length, 100);
  await s.close();
});
