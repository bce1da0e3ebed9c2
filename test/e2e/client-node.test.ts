/**
 * @kubernetes/client-node 1.4 (what Node programs use) against a real `k8ts server`: the typed client's
 * CRUD, selectors and pagination, and an informer (list + watch) through adds, updates, deletes, a relist
 * after its resourceVersion was compacted away, and a long quiet watch.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { until } from '../support/wait.js';

let server: RunningServer;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  // Compact every second, so history behind a paused watch is soon gone.
  server = await startServer(['--compaction-interval', '1']);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
});
after(async () => {
  await server?.stop();
});

const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
): V1ConfigMap => ({
  metadata: { name, labels },
  data,
});

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/** The first line of a raw watch from `rv`, parsed. */
async function firstWatchEvent(
  path: string,
  rv: string,
): Promise<{ type: string; object: { code?: number } }> {
  const cluster = kc.getCurrentCluster()!;
  const url = new URL(`${cluster.server}${path}?watch=true&resourceVersion=${rv}`);
  const opts: https.RequestOptions = { method: 'GET' };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = https.request(url, opts, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          resolve(JSON.parse(buf.slice(0, nl)) as { type: string; object: { code?: number } });
          req.destroy();
        }
      });
      res.on('end', () => reject(new Error(`watch ended without an event: ${buf}`)));
    });
    req.on('error', (e) => reject(e));
    req.end();
    setTimeout(() => req.destroy(new Error('no event within 5 s')), 5000).unref();
  });
}

describe('typed client', () => {
  const namespace = 'typed';
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  test('create, read, replace, patch, delete', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: cm('one', { app: 'a' }, { k: 'v' }),
    });
    assert.equal(created.metadata?.namespace, namespace);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    const read = await core.readNamespacedConfigMap({ name: 'one', namespace });
    assert.deepEqual(read.data, { k: 'v' });
    read.data = { k: 'v2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'one', namespace, body: read });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    // The stale copy now conflicts.
    await assert.rejects(
      core.replaceNamespacedConfigMap({ name: 'one', namespace, body: read }),
      (err: unknown) => {
        const e = err as { code?: number; body?: string };
        assert.equal(e.code, 409);
        const status = JSON.parse(e.body ?? '{}') as { reason?: string; message?: string };
        assert.equal(status.reason, 'Conflict');
        assert.match(
          status.message ?? '',
          /^Operation cannot be fulfilled on configmaps "one": the object has been modified/,
        );
        return true;
      },
    );
    const patched = await core.patchNamespacedConfigMap(
      { name: 'one', namespace, body: { data: { extra: 'x' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(patched.data, { k: 'v2', extra: 'x' });
    await core.deleteNamespacedConfigMap({ name: 'one', namespace });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'one', namespace }), (err: unknown) => {
      const e = err as { code?: number; body?: string };
      assert.equal(e.code, 404);
      assert.equal(
        (JSON.parse(e.body ?? '{}') as { message?: string }).message,
        'configmaps "one" not found',
      );
      return true;
    });
  });

  test('list with labelSelector, fieldSelector and limit/continue pages', async () => {
    await pool(
      Array.from({ length: 25 }, (_, i) => i),
      8,
      (i) =>
        core.createNamespacedConfigMap({
          namespace,
          body: cm(`page-${String(i).padStart(2, '0')}`, { parity: i % 2 ? 'odd' : 'even', tier: 'x' }),
        }),
    );
    const odd = await core.listNamespacedConfigMap({ namespace, labelSelector: 'parity=odd' });
    assert.equal(odd.items.length, 12);
    const notOdd = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier=x,parity!=odd' });
    assert.equal(notOdd.items.length, 13);
    const byName = await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=page-07' });
    assert.deepEqual(
      byName.items.map((i) => i.metadata?.name),
      ['page-07'],
    );
    const notName = await core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'tier=x',
      fieldSelector: 'metadata.name!=page-07',
    });
    assert.equal(notName.items.length, 24);

    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    let rv: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace,
        labelSelector: 'tier=x',
        limit: 10,
        _continue: cont,
      });
      pages++;
      seen.push(...page.items.map((i) => i.metadata!.name!));
      rv ??= page.metadata?.resourceVersion;
      // Every page is served at the first page's snapshot.
      assert.equal(page.metadata?.resourceVersion, rv);
      cont = page.metadata?._continue || undefined;
      // Like Kubernetes, no remainingItemCount when a selector filters the list.
      assert.equal(page.metadata?.remainingItemCount, undefined);
      // A write between pages does not show up in the remaining pages.
      if (pages === 1)
        await core.createNamespacedConfigMap({ namespace, body: cm('page-99', { tier: 'x' }) });
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`),
    );
    const unfiltered = await core.listNamespacedConfigMap({ namespace, limit: 10 });
    assert.equal(unfiltered.items.length, 10);
    assert.ok(unfiltered.metadata?._continue);
    await assert.rejects(
      core.listNamespacedConfigMap({ namespace, labelSelector: 'tier=x', limit: 10, _continue: 'garbage' }),
      (err: unknown) => (err as { code?: number }).code === 400,
    );
  });
});

describe('informer', () => {
  const namespace = 'informed';
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  let informer: k8s.Informer<V1ConfigMap> & k8s.ObjectCache<V1ConfigMap>;
  const events: string[] = [];
  const errors: unknown[] = [];
  let connects = 0;

  before(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({ namespace, body: cm('pre-existing') });
    informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace }));
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    informer.on('error', (err) => errors.push(err));
    informer.on('connect', () => connects++);
    await informer.start();
  });
  after(async () => {
    await informer?.stop();
  });

  test('list then watch: adds, updates and deletes reach the cache', async () => {
    await until('the listed object', () => events.includes('add pre-existing'), 20_000);
    await core.createNamespacedConfigMap({ namespace, body: cm('w1', {}, { a: '1' }) });
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace, body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'pre-existing', namespace });
    await until('the delete', () => events.includes('delete pre-existing'), 20_000);
    assert.deepEqual(events, ['add pre-existing', 'add w1', 'update w1 {"a":"2"}', 'delete pre-existing']);
    assert.deepEqual(
      informer.list(namespace).map((o) => [o.metadata?.name, o.data]),
      [['w1', { a: '2' }]],
    );
    assert.deepEqual(errors, []);
  });

  test('a watch resumed from a compacted resourceVersion gets 410 and the informer relists', async () => {
    // makeInformer returns a ListWatch; its type only shows the Informer and ObjectCache sides.
    const staleRv = (informer as unknown as k8s.ListWatch<V1ConfigMap>).latestResourceVersion();
    await informer.stop();
    await sleep(200); // the aborted watch reports its abort as an error

    errors.length = 0;
    events.length = 0;

    // While the informer is away: more than the 1000 revisions the compactor always keeps, among them
    // objects created, changed and deleted, then wait until history before `staleRv` is gone.
    const names = Array.from({ length: 1100 }, (_, i) => `bulk-${i}`);
    await pool(names, 16, (n) => core.createNamespacedConfigMap({ namespace, body: cm(n) }));
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace, body: { data: { a: '3' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await pool(names.slice(0, 100), 16, (n) => core.deleteNamespacedConfigMap({ name: n, namespace }));
    await until(
      'compaction past the informer resourceVersion',
      async () => {
        const ev = await firstWatchEvent(path, staleRv);
        return ev.type === 'ERROR' && ev.object.code === 410;
      },
      20_000,
    );

    await informer.start();
    await until('the relisted cache', () => informer.list(namespace).length === 1001, 30_000);
    const server = await core.listNamespacedConfigMap({ namespace });
    const snapshot = (items: readonly V1ConfigMap[]) =>
      items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
    assert.deepEqual(snapshot(informer.list(namespace)), snapshot(server.items));
    assert.equal(informer.get('w1', namespace)?.data?.['a'], '3');
    assert.ok(events.includes('update w1 {"a":"3"}'), 'the relist reports the change it missed');
    assert.equal(events.filter((e) => e.startsWith('add bulk-')).length, 1000);
    assert.deepEqual(errors, []);
    // And it watches again after the relist.
    await core.createNamespacedConfigMap({ namespace, body: cm('after-relist') });
    await until('an event after the relist', () => events.includes('add after-relist'), 20_000);
  });

  test('a watch quiet for more than 30 s stays open and still delivers', async () => {
    const before = connects;
    await sleep(35_000);
    await core.createNamespacedConfigMap({ namespace, body: cm('after-35s') });
    await until('an event after 35 s', () => events.includes('add after-35s'), 20_000);
    assert.equal(connects, before, 'the watch was not re-established');
    assert.deepEqual(errors, []);
  });
});
