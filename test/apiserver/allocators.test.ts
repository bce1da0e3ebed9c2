import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as E from '../../src/apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../../src/apimachinery/meta.js';
import { builtinRegistry } from '../../src/api/registry.js';
import { portRange, serviceCidr } from '../../src/apiserver/allocators/ranges.js';
import { AllocationRepair, LEAK_PASSES } from '../../src/apiserver/allocators/repair.js';
import { ServiceAllocator } from '../../src/apiserver/allocators/service-allocator.js';
import { prepareForCreate } from '../../src/apiserver/handlers/object-lifecycle.js';
import { ObjectStore } from '../../src/apiserver/registry/object-store.js';
import { withTxn } from '../../src/apiserver/registry/write-hooks.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
import { logger } from '../../src/util/log.js';
import { tempDir } from '../support/tmp.js';

const log = logger('test');
const services = builtinRegistry().lookup('', 'v1', 'services')!;
const tmp = tempDir('k8ts-alloc-');
after(() => tmp.remove());

function service(name: string, spec: Record<string, unknown> = {}): StoredObject {
  return prepareForCreate(
    services,
    { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } },
    'default',
  );
}

/** What the create handler does: allocate, store, commit (or revert on failure). */
async function create(alloc: ServiceAllocator, objects: ObjectStore, svc: StoredObject) {
  const txn = await alloc.beginCreate(svc, false);
  return withTxn(txn, () => objects.create(services, svc));
}

const spec = (o: KubeObject) => o['spec'] as Record<string, unknown>;

async function statusOf(p: Promise<unknown>): Promise<E.StatusError> {
  try {
    await p;
  } catch (err) {
    if (E.isStatusError(err)) return err;
    throw err;
  }
  assert.fail('expected a Status error');
}

function setup(store: Store = new MemoryStore(), cidr = '10.43.0.0/16', ports = '30000-32767') {
  const alloc = new ServiceAllocator(store, { serviceCIDR: cidr, nodePortRange: ports, log });
  return { store, alloc, objects: new ObjectStore(store) };
}

describe('ranges', () => {
  test('a /16 starts at .0.1, keeps the first 256 addresses for chosen IPs, and excludes broadcast', () => {
    const r = serviceCidr('10.43.0.0/16');
    assert.equal(r.first, '10.43.0.1');
    assert.equal(r.size, 65534);
    assert.equal(r.staticBand, 256);
    assert.equal(r.valueAt(r.size - 1), '10.43.255.254');
    assert.equal(r.offsetOf('10.43.255.255'), undefined);
    assert.equal(r.offsetOf('10.43.0.0'), undefined);
    assert.equal(r.offsetOf('10.44.0.1'), undefined);
    assert.throws(() => serviceCidr('10.43.0.0/31'), /too small/);
    assert.throws(() => serviceCidr('nope'), /invalid service CIDR/);
  });

  test('the default node port range has a static band of 86 ports', () => {
    const r = portRange('30000-32767');
    assert.equal(r.size, 2768);
    assert.equal(r.staticBand, 86);
    assert.equal(r.offsetOf('29999'), undefined);
    assert.equal(r.valueAt(0), '30000');
  });
});

describe('service allocator', () => {
  test('200 concurrent creates get 200 distinct cluster IPs from the dynamic band', async () => {
    const { alloc, objects } = setup();
    await alloc.start();
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => create(alloc, objects, service(`s${i}`))),
    );
    const ips = created.map((s) => spec(s)['clusterIP'] as string);
    assert.equal(new Set(ips).size, 200);
    const cidr = serviceCidr('10.43.0.0/16');
    for (const ip of ips) assert.ok(cidr.offsetOf(ip)! >= cidr.staticBand, `${ip} is in the dynamic band`);
    for (const s of created) {
      assert.deepEqual(spec(s)['clusterIPs'], [spec(s)['clusterIP']]);
      assert.deepEqual(spec(s)['ipFamilies'], ['IPv4']);
      assert.equal(spec(s)['ipFamilyPolicy'], 'SingleStack');
    }
  });

  test('concurrent creates from two allocators over one store never share an IP', async () => {
    const store = new MemoryStore();
    const a = setup(store, '10.0.0.0/27');
    const b = setup(store, '10.0.0.0/27');
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => create(i % 2 ? a.alloc : b.alloc, a.objects, service(`s${i}`))),
    );
    const ips = results.flatMap((r) => (r.status === 'fulfilled' ? [spec(r.value)['clusterIP']] : []));
    assert.equal(ips.length, 30, 'a /27 has 30 addresses');
    assert.equal(new Set(ips).size, 30);
  });

  test('an exhausted range fails with Kubernetes’ error, and a deleted Service frees its IP', async () => {
    const { alloc, objects } = setup(undefined, '10.0.0.0/29');
    const made = [];
    for (let i = 0; i < 6; i++) made.push(await create(alloc, objects, service(`s${i}`)));
    const err = await statusOf(create(alloc, objects, service('s6')));
    assert.equal(err.code, 500);
    assert.equal(err.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
    await objects.delete(services, made[0]!);
    await alloc.afterDelete(made[0]!);
    const again = await create(alloc, objects, service('s7'));
    assert.equal(spec(again)['clusterIP'], spec(made[0]!)['clusterIP']);
  });

  test('a chosen IP is honoured once, then refused with the exact texts', async () => {
    const { alloc, objects } = setup();
    const a = await create(alloc, objects, service('a', { clusterIP: '10.43.0.5' }));
    assert.equal(spec(a)['clusterIP'], '10.43.0.5');
    const taken = await statusOf(create(alloc, objects, service('b', { clusterIP: '10.43.0.5' })));
    assert.equal(taken.code, 422);
    assert.equal(
      taken.message,
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.5"}: failed to allocate IP 10.43.0.5: provided IP is already allocated',
    );
    const outside = await statusOf(create(alloc, objects, service('c', { clusterIP: '10.44.0.5' })));
    assert.equal(
      outside.message,
      'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.44.0.5"}: failed to allocate IP 10.44.0.5: the provided IP (10.44.0.5) is not in the valid range. The range of valid IPs is 10.43.0.0/16',
    );
  });

  test('headless and ExternalName Services get no IP; headless without selector defaults to dual-stack families', async () => {
    const { alloc, objects } = setup();
    const h = await create(alloc, objects, service('h', { clusterIP: 'None' }));
    assert.deepEqual(spec(h)['clusterIPs'], ['None']);
    assert.equal(spec(h)['ipFamilyPolicy'], 'RequireDualStack');
    assert.deepEqual(spec(h)['ipFamilies'], ['IPv4', 'IPv6']);
    const x = await create(
      alloc,
      objects,
      service('x', { type: 'ExternalName', externalName: 'example.com' }),
    );
    assert.equal(spec(x)['clusterIP'], undefined);
    assert.equal(spec(x)['ipFamilies'], undefined);
    assert.deepEqual(await alloc.ips.list(), []);
  });

  test('dual-stack requests are refused on a single-stack cluster', async () => {
    const { alloc, objects } = setup();
    const err = await statusOf(
      create(alloc, objects, service('d', { selector: { a: 'b' }, ipFamilyPolicy: 'RequireDualStack' })),
    );
    assert.equal(
      err.message,
      'Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    );
    assert.deepEqual(await alloc.ips.list(), []);
  });

  test('node ports: random in range, chosen ones honoured once, out of range refused', async () => {
    const { alloc, objects } = setup();
    const np = await create(alloc, objects, service('np', { type: 'NodePort' }));
    const port = (spec(np)['ports'] as Record<string, unknown>[])[0]!['nodePort'] as number;
    assert.ok(port >= 30086 && port <= 32767, `${port} is in the dynamic band`);
    await create(
      alloc,
      objects,
      service('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    );
    const dup = await statusOf(
      create(alloc, objects, service('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
    );
    assert.equal(
      dup.message,
      'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const out = await statusOf(
      create(alloc, objects, service('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })),
    );
    assert.equal(
      out.message,
      'Service "np4" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // The failed creates gave their cluster IPs back.
    assert.equal((await alloc.ips.list()).length, 2);
  });

  test('LoadBalancer with externalTrafficPolicy Local gets a health check node port; going to ClusterIP frees the ports', async () => {
    const { alloc, objects } = setup();
    const lb = await create(
      alloc,
      objects,
      service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }),
    );
    const hc = spec(lb)['healthCheckNodePort'];
    assert.equal(typeof hc, 'number');
    assert.equal((await alloc.ports.list()).length, 2);
    const next = structuredClone(lb);
    spec(next)['type'] = 'ClusterIP';
    services.prepareForUpdate!(next, lb, 'main');
    services.defaults!(next);
    const txn = await alloc.beginUpdate(next, lb, false);
    await withTxn(txn, () => objects.update(services, next, Number(lb.metadata.resourceVersion)));
    assert.equal(spec(next)['healthCheckNodePort'], undefined);
    assert.equal((spec(next)['ports'] as Record<string, unknown>[])[0]!['nodePort'], undefined);
    assert.deepEqual(await alloc.ports.list(), []);
    assert.equal(spec(next)['clusterIP'], spec(lb)['clusterIP']);
  });

  test('a change to ExternalName releases the IP, and back allocates one', async () => {
    const { alloc, objects } = setup();
    const s = await create(alloc, objects, service('s'));
    const ext = structuredClone(s);
    Object.assign(spec(ext), { type: 'ExternalName', externalName: 'example.com' });
    services.prepareForUpdate!(ext, s, 'main');
    const t1 = await alloc.beginUpdate(ext, s, false);
    const stored = await withTxn(t1, () => objects.update(services, ext, Number(s.metadata.resourceVersion)));
    assert.equal(spec(stored)['clusterIP'], undefined);
    assert.deepEqual(await alloc.ips.list(), []);
    const back = structuredClone(stored);
    Object.assign(spec(back), { type: 'ClusterIP' });
    delete spec(back)['externalName'];
    services.prepareForUpdate!(back, stored, 'main');
    const t2 = await alloc.beginUpdate(back, stored, false);
    await t2.commit();
    assert.match(String(spec(back)['clusterIP']), /^10\.43\./);
    assert.equal((await alloc.ips.list()).length, 1);
  });

  test('dry runs allocate nothing; a failed write gives its values back', async () => {
    const { alloc } = setup();
    const dry = service('dry', { type: 'NodePort' });
    const t = await alloc.beginCreate(dry, true);
    await t.revert();
    assert.match(String(spec(dry)['clusterIP']), /^10\.43\./);
    assert.deepEqual(await alloc.ips.list(), []);
    assert.deepEqual(await alloc.ports.list(), []);
    const failing = service('fail', { type: 'NodePort' });
    await assert.rejects(
      withTxn(await alloc.beginCreate(failing, false), () => Promise.reject(new Error('store down'))),
      /store down/,
    );
    assert.deepEqual(await alloc.ips.list(), []);
    assert.deepEqual(await alloc.ports.list(), []);
  });

  test('allocations survive a restart of the server and its store', async () => {
    const path = join(tmp.dir, 'restart', 'state.db');
    let store = new SqliteStore({ path });
    let s = setup(store);
    await s.alloc.start();
    const a = await create(s.alloc, s.objects, service('a', { type: 'NodePort' }));
    await store.close();
    store = new SqliteStore({ path });
    s = setup(store);
    await s.alloc.start();
    const err = await statusOf(create(s.alloc, s.objects, service('b', { clusterIP: spec(a)['clusterIP'] })));
    assert.match(err.message, /provided IP is already allocated/);
    const nodePort = (spec(a)['ports'] as Record<string, unknown>[])[0]!['nodePort'];
    const perr = await statusOf(
      create(s.alloc, s.objects, service('c', { type: 'NodePort', ports: [{ port: 80, nodePort }] })),
    );
    assert.match(perr.message, /provided port is already allocated/);
    await store.close();
  });
});

describe('allocation repair', () => {
  test('at startup, leaked allocations are released and missing ones recorded', async () => {
    const { store, alloc, objects } = setup();
    const kept = await create(alloc, objects, service('kept', { type: 'NodePort' }));
    // A crash between allocation and the Service write leaves a leak...
    await alloc.ips.allocate('10.43.0.9', { namespace: 'default', name: 'ghost' });
    await alloc.ports.allocate('30009', { namespace: 'default', name: 'ghost' });
    // ...and a Service whose allocation key was lost.
    await store.delete(alloc.ips.keyOf(spec(kept)['clusterIP'] as string));
    const repair = new AllocationRepair(objects, services, alloc, log);
    const r = await repair.run(true);
    assert.deepEqual(r.released.sort(), ['10.43.0.9', '30009']);
    assert.deepEqual(r.restored, [spec(kept)['clusterIP']]);
    assert.deepEqual(
      (await alloc.ips.list()).map((x) => x.value),
      [spec(kept)['clusterIP']],
    );
    assert.equal((await alloc.ports.list()).length, 1);
  });

  test('a running server releases a leak only after it was seen on several passes', async () => {
    const { alloc, objects } = setup();
    await alloc.ips.allocate('10.43.0.9', { namespace: 'default', name: 'in-flight' });
    const repair = new AllocationRepair(objects, services, alloc, log);
    for (let i = 1; i < LEAK_PASSES; i++) assert.deepEqual((await repair.run()).released, []);
    assert.deepEqual((await repair.run()).released, ['10.43.0.9']);
  });

  test('an allocation whose Service appears before the passes are over is kept', async () => {
    const { alloc, objects } = setup();
    const svc = service('late', { clusterIP: '10.43.0.9' });
    const txn = await alloc.beginCreate(svc, false);
    const repair = new AllocationRepair(objects, services, alloc, log);
    await repair.run();
    await withTxn(txn, () => objects.create(services, svc));
    for (let i = 0; i < LEAK_PASSES; i++) assert.deepEqual((await repair.run()).released, []);
    assert.equal((await alloc.ips.list()).length, 1);
  });
});
