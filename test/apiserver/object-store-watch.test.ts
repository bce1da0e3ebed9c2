/** ObjectStore's watch: one store event is decoded once for all the watchers it reaches. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredObject } from '../../src/apimachinery/meta.js';
import { builtinRegistry } from '../../src/api/registry.js';
import { ObjectStore } from '../../src/apiserver/registry/object-store.js';
import type { WatchEvent } from '../../src/apiserver/registry/object-store.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';

const registry = builtinRegistry();

async function next(watch: AsyncGenerator<WatchEvent>): Promise<WatchEvent> {
  const r = await watch.next();
  assert.ok(!r.done);
  return r.value;
}

describe('ObjectStore watch', () => {
  test('watchers of one resource share the decoded object; another version gets its own', async () => {
    const objects = new ObjectStore(new MemoryStore());
    const core = registry.lookup('', 'v1', 'events')!;
    const eventsV1 = registry.lookup('events.k8s.io', 'v1', 'events')!;
    const abort = new AbortController();
    const all = objects.watch(core, undefined, 0, undefined, abort.signal);
    const named = objects.watch(core, 'default', 0, (o) => o.metadata.name === 'web.1', abort.signal);
    const asEventsV1 = objects.watch(eventsV1, undefined, 0, undefined, abort.signal);
    const event: StoredObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: 'web.1',
        namespace: 'default',
        uid: 'u1',
        resourceVersion: '',
        creationTimestamp: '2024-01-01T00:00:00Z',
      },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Started',
      message: 'Started container web',
    };
    const created = await objects.create(core, event);
    const [a, b, c] = await Promise.all([next(all), next(named), next(asEventsV1)]);
    assert.equal(a.type, 'ADDED');
    assert.equal(b.type, 'ADDED');
    assert.equal(a.object, b.object, 'one decoded object for both core/v1 watchers');
    assert.equal(a.object.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.notEqual(c.object, a.object);
    assert.equal(c.object.apiVersion, 'events.k8s.io/v1');
    assert.equal(c.object['note'], 'Started container web');
    abort.abort();
  });
});
