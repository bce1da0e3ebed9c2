/** The client machinery against a real `k8ts server`: REST calls, informers, leader election, events. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StatusError, isStatusError } from '../../src/apimachinery/errors.js';
import type { StoredObject } from '../../src/apimachinery/meta.js';
import { loadKubeconfig } from '../../src/client/config.js';
import { EVENTS, EventRecorder } from '../../src/client/events.js';
import { Informer } from '../../src/client/informer.js';
import { SharedInformers } from '../../src/client/shared-informers.js';
import { LEASES, LeaderElector, microTime } from '../../src/client/leader-election.js';
import { RestClient } from '../../src/client/rest.js';
import type { ResourceType } from '../../src/client/rest.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { until } from '../support/wait.js';

const CONFIGMAPS: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { app: 'client-test' } },
  data,
});

describe('client machinery', () => {
  let server: RunningServer;
  let client: RestClient;

  before(async () => {
    server = await startServer();
    client = new RestClient(loadKubeconfig(server.kubeconfig, 'k8ts-test/v0'));
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('does CRUD and turns failures into StatusErrors with the server text', async () => {
    const created = await client.create(CONFIGMAPS, 'default', cm('one', { a: '1' }));
    assert.equal(created.metadata.namespace, 'default');
    const got = await client.get(CONFIGMAPS, 'default', 'one');
    assert.equal(got.metadata.uid, created.metadata.uid);
    const updated = await client.update(CONFIGMAPS, { ...got, data: { a: '2' } });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    await assert.rejects(
      client.update(CONFIGMAPS, { ...got, data: { a: '3' } }),
      (e: unknown) =>
        isStatusError(e, 'Conflict') &&
        e.message ===
          'Operation cannot be fulfilled on configmaps "one": the object has been modified; please apply your changes to the latest version and try again',
    );
    const patched = await client.patch<StoredObject & { data: Record<string, string> }>(
      CONFIGMAPS,
      'default',
      'one',
      'merge',
      { data: { b: 'x' } },
    );
    assert.deepEqual(patched.data, { a: '2', b: 'x' });
    await client.delete(CONFIGMAPS, 'default', 'one');
    await assert.rejects(client.get(CONFIGMAPS, 'default', 'one'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 404);
      assert.equal(e.message, 'configmaps "one" not found');
      return true;
    });
  });

  it('lists every page at one resourceVersion', async () => {
    await Promise.all(
      Array.from({ length: 23 }, (_, i) => client.create(CONFIGMAPS, 'default', cm(`page-${i}`))),
    );
    const all = await client.listAll(
      CONFIGMAPS,
      { namespace: 'default', labelSelector: 'app=client-test' },
      5,
    );
    assert.equal(all.items.filter((i) => i.metadata.name.startsWith('page-')).length, 23);
    const first = await client.list(CONFIGMAPS, { namespace: 'default', limit: 5 });
    assert.equal(first.items.length, 5);
    assert.ok(first.metadata.continue);
  });

  it('keeps an informer cache in step with the server and delivers events', async () => {
    const inf = new Informer(client, CONFIGMAPS, { namespace: 'default', labelSelector: 'app=informed' });
    const seen: string[] = [];
    inf.addHandler({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_o, n) => seen.push(`update ${n.metadata.name}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    await client.create(CONFIGMAPS, 'default', {
      ...cm('pre'),
      metadata: { name: 'pre', labels: { app: 'informed' } },
    });
    inf.start();
    await inf.synced;
    assert.deepEqual(seen, ['add pre']);
    await client.create(CONFIGMAPS, 'default', {
      ...cm('live'),
      metadata: { name: 'live', labels: { app: 'informed' } },
    });
    await client.patch(CONFIGMAPS, 'default', 'live', 'merge', { data: { k: 'v' } });
    // Leaving the selector is a delete for this informer.
    await client.patch(CONFIGMAPS, 'default', 'pre', 'merge', { metadata: { labels: { app: 'other' } } });
    await until('events', () => seen.length >= 4);
    await inf.stop();
    assert.deepEqual(seen, ['add pre', 'add live', 'update live', 'delete pre']);
    assert.deepEqual(
      inf.list().map((o) => o.metadata.name),
      ['live'],
    );
  });

  it('keeps shared informer objects without managedFields, and updates from them keep the stored ones', async () => {
    const shared = new SharedInformers(client);
    const inf = shared.for(CONFIGMAPS, { namespace: 'default', labelSelector: 'app=shared' });
    await client.create(CONFIGMAPS, 'default', {
      ...cm('shared-1'),
      metadata: { name: 'shared-1', labels: { app: 'shared' } },
    });
    shared.start();
    await shared.synced();
    await until('cached', () => inf.get('default', 'shared-1') !== undefined);
    const cached = inf.get('default', 'shared-1')!;
    assert.equal(cached.metadata.managedFields, undefined);
    await client.update(CONFIGMAPS, { ...cached, data: { k: 'v2' } });
    const stored = await client.get(CONFIGMAPS, 'default', 'shared-1');
    assert.ok((stored.metadata.managedFields?.length ?? 0) > 0, 'the server keeps managedFields');
    await shared.stop();
  });

  it('elects exactly one leader and hands over when it leaves or stops renewing', async () => {
    const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 100 };
    const leading = new Set<string>();
    const candidate = (identity: string) =>
      new LeaderElector({
        client,
        namespace: 'kube-system',
        name: 'test-election',
        identity,
        ...timing,
        onStartedLeading: (signal) => {
          assert.equal(leading.size, 0, `${identity} leads while ${[...leading].join()} still does`);
          leading.add(identity);
          signal.addEventListener('abort', () => leading.delete(identity));
        },
      });
    const stopA = new AbortController();
    const stopB = new AbortController();
    const a = candidate('a');
    const b = candidate('b');
    const runA = a.run(stopA.signal);
    await until('a leads', () => a.isLeader);
    const runB = b.run(stopB.signal);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual([...leading], ['a'], 'b must not take a lease that is being renewed');
    stopA.abort();
    await runA;
    await until('b leads', () => b.isLeader);
    const lease = await client.get<
      StoredObject & { spec: { holderIdentity: string; leaseTransitions: number } }
    >(LEASES, 'kube-system', 'test-election');
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    stopB.abort();
    await runB;

    // A holder that vanished without releasing: taken over once its lease has run out.
    const current = await client.get<StoredObject & { spec: object }>(LEASES, 'kube-system', 'test-election');
    await client.update(LEASES, {
      ...current,
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: microTime() },
    });
    const stopC = new AbortController();
    const c = candidate('c');
    const runC = c.run(stopC.signal);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.isLeader, false, 'the ghost lease is still valid');
    await until('c takes over the expired lease', () => c.isLeader, 5_000);
    stopC.abort();
    await runC;
  });

  it('folds repeated events into one Event with a count', async () => {
    const recorder = new EventRecorder(client, { component: 'test-controller' });
    const obj = await client.create(CONFIGMAPS, 'default', cm('evented'));
    for (let i = 0; i < 3; i++) recorder.event(obj, 'Warning', 'FailedThing', 'it failed');
    recorder.event(obj, 'Normal', 'DidThing', 'it worked');
    await recorder.flush();
    const events = await client.list<
      StoredObject & {
        reason: string;
        count: number;
        involvedObject: { uid: string };
        source: { component: string };
      }
    >(EVENTS, { namespace: 'default', fieldSelector: `involvedObject.name=evented` });
    const byReason = Object.fromEntries(events.items.map((e) => [e.reason, e]));
    assert.equal(events.items.length, 2);
    assert.equal(byReason['FailedThing']!.count, 3);
    assert.equal(byReason['DidThing']!.count, 1);
    assert.equal(byReason['FailedThing']!.involvedObject.uid, obj.metadata.uid);
    assert.equal(byReason['FailedThing']!.source.component, 'test-controller');
  });
});
