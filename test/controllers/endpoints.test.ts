/**
 * The Endpoints and EndpointSlice controllers inside a real `k8ts server` with nodes that run pods,
 * read back with real kubectl: addresses and ports per pod, readiness, publishNotReadyAddresses,
 * headless hostnames, terminating and deleted pods, user-managed endpoints and service deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SIMULATED_READY, startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;
const WAIT_MS = 20_000;

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; name: string; namespace: string; uid: string };
}
interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: { name?: string; port: number; protocol: string }[];
}
interface Slice {
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  addressType: string;
  ports?: { name: string; port: number; protocol: string }[];
  endpoints: {
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    hostname?: string;
    nodeName?: string;
    zone?: string;
    targetRef?: { kind: string; name: string };
  }[];
}

function pod(
  name: string,
  labels: Record<string, string>,
  ports: { name: string; containerPort: number }[] = [],
  extra: { spec?: Record<string, unknown>; metadata?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels, ...extra.metadata },
    spec: { containers: [{ name: 'app', image: 'nginx', ports }], ...extra.spec },
  };
}

const list = (...items: Record<string, unknown>[]) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('endpoints and endpointslice controllers', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string) => kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const kc = async (ns: string, ...args: string[]) => ok(await run(['-n', ns, ...args]), args.join(' '));
  const apply = async (ns: string, manifest: string) =>
    ok(await run(['-n', ns, 'apply', '-f', '-'], manifest), 'kubectl apply');
  const subsets = async (ns: string, svc: string): Promise<Subset[]> =>
    JSON.parse((await kc(ns, 'get', 'endpoints', svc, '-o', 'jsonpath={.subsets}')) || '[]') as Subset[];
  const slices = async (ns: string, svc: string): Promise<Slice[]> =>
    (
      JSON.parse(
        await kc(ns, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`, '-o', 'json'),
      ) as { items: Slice[] }
    ).items;
  const podIP = async (ns: string, name: string) => {
    let ip = '';
    await until(`${name} has an IP`, async () => {
      ip = (await run(['-n', ns, 'get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).stdout;
      return ip !== '';
    });
    return ip;
  };
  const setReady = (ns: string, name: string, ready: boolean) =>
    kc(ns, 'annotate', 'pod', name, `${SIMULATED_READY}=${String(ready)}`, '--overwrite');

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    ok(await run(['label', 'node', 'node-0', 'topology.kubernetes.io/zone=zone-a']), 'label node');
    for (const ns of ['ep-ports', 'ep-ready', 'ep-headless', 'ep-manual'])
      ok(await run(['create', 'namespace', ns]), `create ns ${ns}`);
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('lists each selected pod with the service ports resolved on it', async () => {
    const ns = 'ep-ports';
    await apply(
      ns,
      list(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', labels: { team: 'blue' } },
          spec: {
            selector: { app: 'web' },
            ports: [
              { name: 'http', port: 80, targetPort: 'http' },
              { name: 'metrics', port: 9090, targetPort: 9100 },
            ],
          },
        },
        pod('web-a', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]),
        pod('web-b', { app: 'web' }, [{ name: 'http', containerPort: 8081 }]),
        // No container port named http: reachable on the metrics port only.
        pod('web-c', { app: 'web' }),
        pod('other', { app: 'other' }, [{ name: 'http', containerPort: 8080 }]),
      ),
    );
    const [a, b, c] = [await podIP(ns, 'web-a'), await podIP(ns, 'web-b'), await podIP(ns, 'web-c')];
    const want = [
      { addresses: [a], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [b], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      { addresses: [a, b, c].sort(), ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
    ];
    const view = (ss: Subset[]) =>
      ss
        .map((s) => ({ addresses: (s.addresses ?? []).map((x) => x.ip).sort(), ports: s.ports }))
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    const sortedWant = [...want].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    await until(
      'endpoints of web',
      async () => JSON.stringify(view(await subsets(ns, 'web'))) === JSON.stringify(sortedWant),
      WAIT_MS,
    );

    const ep = JSON.parse(await kc(ns, 'get', 'endpoints', 'web', '-o', 'json')) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      subsets: Subset[];
    };
    assert.deepEqual(ep.metadata.labels, {
      team: 'blue',
      'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
    });
    assert.match(
      ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'] ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const addrA = ep.subsets.flatMap((s) => s.addresses ?? []).find((x) => x.ip === a)!;
    assert.equal(addrA.targetRef?.kind, 'Pod');
    assert.equal(addrA.targetRef?.name, 'web-a');
    assert.equal(addrA.targetRef?.namespace, ns);
    assert.ok(addrA.nodeName?.startsWith('node-'));

    const rows = (await kc(ns, 'get', 'endpoints', 'web')).trim().split('\n');
    assert.match(rows[0]!, /^NAME\s+ENDPOINTS\s+AGE$/);
    assert.match(rows[1]!, /^web\s+\S+:\d+,\S+:\d+,\S+:\d+ \+ 2 more\.\.\.\s+\S+$/);

    const ss = await slices(ns, 'web');
    assert.equal(ss.length, 3, 'one slice per distinct port mapping');
    for (const s of ss) {
      assert.equal(s.addressType, 'IPv4');
      assert.match(s.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.equal(s.metadata.labels['kubernetes.io/service-name'], 'web');
      assert.equal(
        s.metadata.labels['endpointslice.kubernetes.io/managed-by'],
        'endpointslice-controller.k8s.io',
      );
      assert.equal(s.metadata.labels['team'], 'blue');
      assert.equal(s.metadata.ownerReferences?.[0]?.kind, 'Service');
      assert.equal(s.metadata.ownerReferences?.[0]?.name, 'web');
      assert.equal(s.metadata.ownerReferences?.[0]?.controller, true);
    }
    const byPod = new Map(
      ss.flatMap((s) => s.endpoints.map((e) => [e.targetRef?.name, { e, ports: s.ports }])),
    );
    assert.deepEqual(byPod.get('web-a')?.ports, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    assert.deepEqual(byPod.get('web-c')?.ports, [{ name: 'metrics', port: 9100, protocol: 'TCP' }]);
    assert.deepEqual(byPod.get('web-a')?.e.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(byPod.has('other'), false);
    // Pods on the node labelled with a zone carry it.
    for (const { e } of byPod.values())
      assert.equal(e.zone, e.nodeName === 'node-0' ? 'zone-a' : undefined, `zone of ${e.targetRef?.name}`);

    const table = (await kc(ns, 'get', 'endpointslices')).trim().split('\n');
    assert.match(table[0]!, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    assert.ok(
      table.some((l) => new RegExp(`^web-\\S+\\s+IPv4\\s+9100\\s+${c}\\s`).test(l)),
      table.join('\n'),
    );

    const describe = await kc(ns, 'describe', 'svc', 'web');
    const lines = describe.split('\n').filter((l) => l.startsWith('Endpoints:'));
    assert.equal(lines.length, 2, describe);
    const ips = (l: string) =>
      l
        .replace(/^Endpoints:\s+/, '')
        .split(',')
        .sort();
    assert.deepEqual(ips(lines[0]!), [`${a}:8080`, `${b}:8081`].sort());
    assert.deepEqual(ips(lines[1]!), [a, b, c].map((ip) => `${ip}:9100`).sort());

    // A deleted pod leaves both.
    await kc(ns, 'delete', 'pod', 'web-b', '--wait=true');
    await until(
      'web-b gone from endpoints',
      async () => !JSON.stringify(await subsets(ns, 'web')).includes(b),
      WAIT_MS,
    );
    await until(
      'web-b gone from slices',
      async () => !(await slices(ns, 'web')).some((s) => s.endpoints.some((e) => e.addresses.includes(b))),
      WAIT_MS,
    );
    // Deleting the service takes its Endpoints and (through the garbage collector) its slices.
    await kc(ns, 'delete', 'svc', 'web');
    await until(
      'endpoints deleted',
      async () => (await run(['-n', ns, 'get', 'endpoints', 'web'])).code !== 0,
      WAIT_MS,
    );
    await until('slices deleted', async () => (await slices(ns, 'web')).length === 0, WAIT_MS);
  });

  it('separates ready from not-ready pods, publishes not-ready ones when asked, and marks terminating ones', async () => {
    const ns = 'ep-ready';
    const svc = (name: string, publish: boolean) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: {
        selector: { app: 'api' },
        publishNotReadyAddresses: publish,
        ports: [{ port: 80, targetPort: 8080 }],
      },
    });
    await apply(
      ns,
      list(
        svc('api', false),
        svc('api-all', true),
        pod('api-1', { app: 'api' }),
        pod('api-2', { app: 'api' }),
        pod('api-3', { app: 'api' }, [], { metadata: { finalizers: ['example.com/hold'] } }),
      ),
    );
    const [ip1, ip2, ip3] = [await podIP(ns, 'api-1'), await podIP(ns, 'api-2'), await podIP(ns, 'api-3')];
    await until(
      'three ready addresses',
      async () => (await subsets(ns, 'api'))[0]?.addresses?.length === 3,
      WAIT_MS,
    );

    await setReady(ns, 'api-2', false);
    await until(
      'api-2 not ready',
      async () => {
        const s = (await subsets(ns, 'api'))[0];
        return s?.notReadyAddresses?.[0]?.ip === ip2 && s.addresses?.length === 2;
      },
      WAIT_MS,
    );
    const api = (await subsets(ns, 'api'))[0]!;
    assert.deepEqual(api.addresses!.map((x) => x.ip).sort(), [ip1, ip3].sort());
    assert.deepEqual(api.ports, [{ port: 8080, protocol: 'TCP' }]);
    const all = (await subsets(ns, 'api-all'))[0]!;
    assert.deepEqual(all.addresses!.map((x) => x.ip).sort(), [ip1, ip2, ip3].sort());
    assert.equal(all.notReadyAddresses, undefined);

    const conditions = async (svcName: string) =>
      new Map(
        (await slices(ns, svcName)).flatMap((s) => s.endpoints.map((e) => [e.targetRef?.name, e.conditions])),
      );
    await until(
      'slice shows api-2 not ready',
      async () => (await conditions('api')).get('api-2')?.ready === false,
      WAIT_MS,
    );
    assert.deepEqual((await conditions('api')).get('api-2'), {
      ready: false,
      serving: false,
      terminating: false,
    });
    assert.deepEqual((await conditions('api-all')).get('api-2'), {
      ready: true,
      serving: true,
      terminating: false,
    });
    const slice = (await slices(ns, 'api'))[0]!;
    assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);

    // Terminating (held by a finalizer): out of Endpoints, in slices as terminating and not ready.
    await kc(ns, 'delete', 'pod', 'api-3', '--wait=false');
    await until(
      'api-3 left the endpoints',
      async () => !JSON.stringify(await subsets(ns, 'api')).includes(ip3),
      WAIT_MS,
    );
    await until(
      'api-3 terminating in slice',
      async () => (await conditions('api')).get('api-3')?.terminating === true,
      WAIT_MS,
    );
    assert.deepEqual((await conditions('api')).get('api-3'), {
      ready: false,
      serving: true,
      terminating: true,
    });
    await kc(ns, 'patch', 'pod', 'api-3', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    await until('api-3 left the slices', async () => !(await conditions('api')).has('api-3'), WAIT_MS);

    // Back to ready.
    await setReady(ns, 'api-2', true);
    await until(
      'api-2 ready again',
      async () => (await subsets(ns, 'api'))[0]?.addresses?.length === 2,
      WAIT_MS,
    );
    assert.equal((await subsets(ns, 'api'))[0]?.notReadyAddresses, undefined);
  });

  it('gives headless services the hostnames of pods in their subdomain', async () => {
    const ns = 'ep-headless';
    await apply(
      ns,
      list(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'db' },
          spec: { clusterIP: 'None', selector: { app: 'db' } },
        },
        pod('db-0', { app: 'db' }, [], { spec: { hostname: 'db-0', subdomain: 'db' } }),
        pod('db-x', { app: 'db' }, [], { spec: { hostname: 'db-x', subdomain: 'elsewhere' } }),
      ),
    );
    const [ip0, ipx] = [await podIP(ns, 'db-0'), await podIP(ns, 'db-x')];
    await until('two addresses', async () => (await subsets(ns, 'db'))[0]?.addresses?.length === 2, WAIT_MS);
    const s = (await subsets(ns, 'db'))[0]!;
    assert.equal(s.ports, undefined, 'a headless service without ports has endpoints without ports');
    const host = new Map(s.addresses!.map((x) => [x.ip, x.hostname]));
    assert.equal(host.get(ip0), 'db-0');
    assert.equal(host.get(ipx), undefined);
    const labels = JSON.parse(
      await kc(ns, 'get', 'endpoints', 'db', '-o', 'jsonpath={.metadata.labels}'),
    ) as Record<string, string>;
    assert.equal(labels['service.kubernetes.io/headless'], '');

    await until('slice of db', async () => (await slices(ns, 'db'))[0]?.endpoints.length === 2, WAIT_MS);
    const slice = (await slices(ns, 'db'))[0]!;
    assert.equal(slice.metadata.labels['service.kubernetes.io/headless'], '');
    const byName = new Map(slice.endpoints.map((e) => [e.targetRef?.name, e]));
    assert.equal(byName.get('db-0')?.hostname, 'db-0');
    assert.equal(byName.get('db-x')?.hostname, undefined);
    const row = (await kc(ns, 'get', 'endpointslices')).trim().split('\n')[1]!;
    assert.match(row, /^db-\S+\s+IPv4\s+<unset>\s+\S+,\S+\s/);
  });

  it('leaves services without a selector to their users, and gives empty services an empty slice', async () => {
    const ns = 'ep-manual';
    await apply(
      ns,
      list(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'external' },
          spec: { ports: [{ port: 5432 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'external' },
          subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }],
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'nobody' },
          spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] },
        },
      ),
    );
    await until(
      'endpoints of nobody',
      async () => (await run(['-n', ns, 'get', 'endpoints', 'nobody'])).code === 0,
      WAIT_MS,
    );
    const row = (await kc(ns, 'get', 'endpoints', 'nobody')).trim().split('\n')[1]!;
    assert.match(row, /^nobody\s+<none>\s/);
    await until('placeholder slice', async () => (await slices(ns, 'nobody')).length === 1, WAIT_MS);
    const slice = (await slices(ns, 'nobody'))[0]!;
    assert.deepEqual(slice.endpoints ?? [], []);
    assert.match(
      (await kc(ns, 'get', 'endpointslices', slice.metadata.name)).trim().split('\n')[1]!,
      /\s+IPv4\s+<unset>\s+<unset>\s/,
    );

    // The user's Endpoints are untouched, and no slice is made for them.
    const ep = JSON.parse(await kc(ns, 'get', 'endpoints', 'external', '-o', 'json')) as {
      metadata: { labels?: Record<string, string> };
      subsets: Subset[];
    };
    assert.deepEqual(ep.subsets[0]?.addresses, [{ ip: '192.0.2.10' }]);
    assert.equal(ep.subsets.length, 1);
    assert.equal(ep.metadata.labels, undefined);
    assert.equal((await slices(ns, 'external')).length, 0);
    // The API server's own Service is its business, not the controllers'.
    const k8s = JSON.parse(await kc('default', 'get', 'endpoints', 'kubernetes', '-o', 'json')) as {
      metadata: { labels?: Record<string, string> };
    };
    assert.equal(k8s.metadata.labels?.['endpoints.kubernetes.io/managed-by'], undefined);
  });
});
