/** How endpoints are packed: Endpoints subsets (repacking, the 1000-address cap) and EndpointSlice plans. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice, Pod, Service } from '../../src/client/objects.js';
import { desiredSubsets, truncateSubsets } from '../../src/controllers/endpoints/endpoint-subsets.js';
import type { EndpointSubset } from '../../src/controllers/endpoints/endpoint-subsets.js';
import { planSlices, portsKey } from '../../src/controllers/endpointslice/slice-plan.js';
import type {
  EndpointGroup,
  SliceEndpoint,
  SliceMeta,
  SlicePort,
} from '../../src/controllers/endpointslice/slice-plan.js';

function pod(name: string, ip: string, opts: { ready?: boolean; ports?: Record<string, number> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '' },
    spec: {
      nodeName: 'n1',
      containers: [
        {
          name: 'c',
          ports: Object.entries(opts.ports ?? {}).map(([n, p]) => ({ name: n, containerPort: p })),
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

const service = (ports: { name: string; port: number; targetPort: number | string }[]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', namespace: 'ns', uid: 'svc-uid', resourceVersion: '1', creationTimestamp: '' },
  spec: { clusterIP: '10.0.0.1', selector: { app: 'a' }, ports },
});

describe('Endpoints subsets', () => {
  it('groups addresses that share ports, and keeps not-ready addresses apart', () => {
    const svc = service([
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'admin', port: 81, targetPort: 9000 },
    ]);
    const subsets = desiredSubsets(svc, [
      pod('a', '10.0.0.2', { ports: { http: 8080 } }),
      pod('b', '10.0.0.3', { ports: { http: 8080 }, ready: false }),
      pod('c', '10.0.0.4'),
    ]);
    const view = subsets.map((s) => ({
      ready: (s.addresses ?? []).map((a) => a.ip),
      notReady: (s.notReadyAddresses ?? []).map((a) => a.ip),
      ports: (s.ports ?? []).map((p) => `${p.name}:${p.port}`),
    }));
    assert.deepEqual(view, [
      { ready: ['10.0.0.2', '10.0.0.4'], notReady: ['10.0.0.3'], ports: ['admin:9000'] },
      { ready: ['10.0.0.2'], notReady: ['10.0.0.3'], ports: ['http:8080'] },
    ]);
  });

  it('keeps at most 1000 addresses, ready ones first, in proportion per subset', () => {
    const addrs = (n: number, base: number) =>
      Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${Math.floor(i / 250)}.${i % 250}` }));
    const subsets: EndpointSubset[] = [
      { addresses: addrs(600, 1), notReadyAddresses: addrs(100, 2), ports: [{ port: 1 }] },
      { addresses: addrs(300, 3), notReadyAddresses: addrs(300, 4), ports: [{ port: 2 }] },
    ];
    assert.equal(truncateSubsets(subsets), true);
    assert.equal(subsets[0]!.addresses!.length, 600);
    assert.equal(subsets[1]!.addresses!.length, 300);
    const notReady = subsets.map((s) => s.notReadyAddresses?.length ?? 0);
    assert.equal(notReady[0]! + notReady[1]!, 100);
    assert.deepEqual(notReady, [25, 75]);
    assert.equal(truncateSubsets([{ addresses: addrs(10, 5) }]), false);
  });
});

describe('EndpointSlice plans', () => {
  const ports: SlicePort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }];
  const ep = (i: number, ready = true): SliceEndpoint => ({
    addresses: [`10.1.${Math.floor(i / 200)}.${i % 200}`],
    conditions: { ready, serving: ready, terminating: false },
    targetRef: { kind: 'Pod', name: `p${i}`, uid: `u${i}` },
  });
  let made = 0;
  const meta: SliceMeta = {
    labels: { 'kubernetes.io/service-name': 'svc' },
    triggerTime: undefined,
    newSlice: (p) =>
      ({
        metadata: { name: `new-${made++}`, labels: { 'kubernetes.io/service-name': 'svc' } },
        addressType: 'IPv4',
        ports: p,
        endpoints: [],
      }) as unknown as EndpointSlice,
  };
  const groups = (...eps: SliceEndpoint[]) =>
    new Map<string, EndpointGroup>([[portsKey(ports), { ports, endpoints: eps }]]);
  const existing = (name: string, eps: SliceEndpoint[], p = ports): EndpointSlice =>
    ({
      metadata: { name, uid: name, labels: meta.labels },
      addressType: 'IPv4',
      ports: p,
      endpoints: eps,
    }) as unknown as EndpointSlice;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ep(from + i));

  it('packs at most 100 endpoints per slice', () => {
    const plan = planSlices([], groups(...range(0, 250)), meta);
    assert.deepEqual(
      plan.create.map((s) => s.endpoints.length),
      [100, 100, 50],
    );
    assert.equal(plan.update.length + plan.delete.length, 0);
  });

  it('changes only the slices whose endpoints changed, filling their room first', () => {
    const a = existing('a', range(0, 100));
    const b = existing('b', range(100, 150));
    // p5 left, p150 and p151 came, p120 became not ready.
    const want = [...range(0, 150).filter((e) => e.targetRef?.name !== 'p5'), ep(150), ep(151)];
    want[119] = ep(120, false);
    const plan = planSlices([a, b], groups(...want), meta);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.delete.length, 0);
    const updated = new Map(plan.update.map((s) => [s.metadata.name, s.endpoints]));
    assert.deepEqual([...updated.keys()].sort(), ['a', 'b']);
    assert.equal(updated.get('a')!.length, 100, 'a takes a new endpoint into the room p5 left');
    assert.equal(updated.get('b')!.length, 51);
    assert.equal(updated.get('b')!.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready, false);
    // Unchanged slices are not written.
    assert.equal(planSlices([existing('a', range(0, 3))], groups(...range(0, 3)), meta).update.length, 0);
  });

  it('replaces slices with other ports, and keeps one empty placeholder when nothing is selected', () => {
    const stale = existing('old', range(0, 2), [{ name: 'http', port: 9999, protocol: 'TCP' }]);
    const plan = planSlices([stale], groups(...range(0, 2)), meta);
    assert.deepEqual(
      plan.delete.map((s) => s.metadata.name),
      ['old'],
    );
    assert.equal(plan.create[0]?.endpoints.length, 2);

    const empty = planSlices([existing('a', range(0, 2)), existing('b', range(2, 3))], new Map(), meta);
    assert.deepEqual(
      empty.update.map((s) => [s.metadata.name, s.endpoints, s.ports]),
      [['a', [], []]],
    );
    assert.deepEqual(
      empty.delete.map((s) => s.metadata.name),
      ['b'],
    );
    const fresh = planSlices([], new Map(), meta);
    assert.equal(fresh.create.length, 1);
    assert.deepEqual(fresh.create[0]?.ports, []);
    assert.deepEqual(fresh.create[0]?.endpoints, []);
  });
});
