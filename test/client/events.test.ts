/** EventRecorder's write scheduling, against a stand-in client (no server). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/meta.js';
import { EventRecorder } from '../../src/client/events.js';
import type { RestClient } from '../../src/client/rest.js';

/** A client whose creates finish only when the test releases them. */
function fakeClient() {
  const created: { name: string; involved: string; reason: string }[] = [];
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async create(_type: unknown, namespace: string, obj: KubeObject) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => waiting.push(r));
      inFlight--;
      const involved = (obj['involvedObject'] as { name: string }).name;
      created.push({ name: obj.metadata!.name!, involved, reason: obj['reason'] as string });
      return { ...obj, metadata: { ...obj.metadata, namespace } };
    },
  };
  return {
    client: client as unknown as RestClient,
    created,
    waiting,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
});

/** Releases waiting writes until `flush` resolves. */
async function drain(f: ReturnType<typeof fakeClient>, recorder: EventRecorder): Promise<void> {
  let done = false;
  const flushed = recorder.flush().then(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    f.waiting.splice(0).forEach((release) => release());
  }
  await flushed;
}

test('writes events for different objects concurrently, up to the bound', async () => {
  const f = fakeClient();
  const recorder = new EventRecorder(f.client, { component: 'test' }, undefined, 4);
  for (let i = 0; i < 10; i++) recorder.event(pod(`p${i}`), 'Normal', 'Scheduled', `assigned p${i}`);
  await new Promise((r) => setImmediate(r));
  assert.equal(f.maxInFlight, 4, 'four writes start at once, no more');
  await drain(f, recorder);
  assert.equal(f.created.length, 10);
  assert.equal(new Set(f.created.map((c) => c.name)).size, 10, 'every event has its own name');
});

test('keeps the order of events about one object', async () => {
  const f = fakeClient();
  const recorder = new EventRecorder(f.client, { component: 'test' }, undefined, 8);
  for (const reason of ['First', 'Second', 'Third']) recorder.event(pod('same'), 'Normal', reason, reason);
  await new Promise((r) => setImmediate(r));
  assert.equal(f.maxInFlight, 1, 'one object: one write at a time');
  await drain(f, recorder);
  assert.deepEqual(
    f.created.map((c) => c.reason),
    ['First', 'Second', 'Third'],
  );
});
