/**
 * Service IP and port allocation, the default `kubernetes` Service, and versions that share storage
 * (events.k8s.io/v1 and core/v1 Events, autoscaling/v1 and v2 HPAs), through real kubectl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const versions = findKubectls([33, 27]);
let server: RunningServer;
const cache = tempDir('k8ts-kubectl-cache-');

before(async () => {
  // The API server alone: the events and objects these tests look at are their own.
  server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
});
after(async () => {
  await server?.stop();
  cache.remove();
});

function table(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

for (const [i, k] of versions.entries()) {
  describe(`kubectl ${k.version}`, () => {
    const ns = `svc-${k.version.replace('.', '-')}`;
    const fixedIP = `10.43.0.${20 + i}`;
    const run = (args: string[], input?: string) =>
      kubectl(k, server.kubeconfig, `${cache.dir}/${k.version}`, args, input);
    const validate = ['1.27', '1.28'].includes(k.version) ? ['--validate=false'] : [];

    before(async () => {
      ok(await run(['create', 'namespace', ns]), 'create ns');
      ok(await run(['-n', ns, 'create', 'deployment', 'web', '--image=nginx:1.25']), 'create deployment');
    });

    test('the kubernetes Service has the first IP of the range and endpoints at the API server', async () => {
      const rows = table(ok(await run(['get', 'svc', 'kubernetes']), 'get svc'));
      assert.deepEqual(rows[0]?.slice(0, 5), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)']);
      assert.deepEqual(rows[1]?.slice(0, 5), ['kubernetes', 'ClusterIP', '10.43.0.1', '<none>', '443/TCP']);
      const ep = ok(
        await run([
          'get',
          'endpoints',
          'kubernetes',
          '-o',
          'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}',
        ]),
        'get ep',
      );
      assert.equal(ep, `127.0.0.1:${server.port}`);
      const slice = ok(
        await run(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubernetes', '-o', 'name']),
        'get endpointslices',
      );
      assert.equal(slice.trim(), 'endpointslice.discovery.k8s.io/kubernetes');
    });

    test('expose and create service get cluster IPs and node ports (get svc -o wide)', async () => {
      ok(await run(['-n', ns, 'expose', 'deployment', 'web', '--port=80', '--target-port=8080']), 'expose');
      ok(await run(['-n', ns, 'create', 'service', 'nodeport', 'np', '--tcp=80:8080']), 'create nodeport');
      ok(
        await run(['-n', ns, 'create', 'service', 'clusterip', 'cip', '--tcp=5678:8080']),
        'create clusterip',
      );
      const rows = table(ok(await run(['-n', ns, 'get', 'svc', '-o', 'wide']), 'get svc -o wide'));
      assert.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
      const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
      const web = byName.get('web')!;
      assert.equal(web[1], 'ClusterIP');
      assert.match(web[2]!, /^10\.43\.\d+\.\d+$/);
      assert.equal(web[4], '80/TCP');
      assert.equal(web[6], 'app=web');
      const np = byName.get('np')!;
      assert.equal(np[1], 'NodePort');
      assert.match(np[4]!, /^80:(3[0-2]\d{3})\/TCP$/);
      const port = Number(/:(\d+)/.exec(np[4]!)![1]);
      assert.ok(port >= 30000 && port <= 32767);
      const ips = new Set(rows.slice(1).map((r) => r[2]));
      assert.equal(ips.size, 3, 'every Service has its own IP');
    });

    test('a chosen IP conflict, the immutability error, and re-use after delete', async () => {
      ok(
        await run([
          '-n',
          ns,
          'create',
          'service',
          'clusterip',
          'fixed',
          '--tcp=80',
          `--clusterip=${fixedIP}`,
        ]),
        'fixed',
      );
      const dup = await run([
        '-n',
        ns,
        'create',
        'service',
        'clusterip',
        'dup',
        '--tcp=80',
        `--clusterip=${fixedIP}`,
      ]);
      assert.notEqual(dup.code, 0);
      assert.match(
        dup.stderr,
        new RegExp(
          `Service "dup" is invalid: spec\\.clusterIPs: Invalid value: \\[\\]string\\{"${fixedIP.replace(/\./g, '\\.')}"\\}: failed to allocate IP ${fixedIP.replace(/\./g, '\\.')}: provided IP is already allocated`,
        ),
      );
      const change = await run([
        '-n',
        ns,
        'patch',
        'svc',
        'fixed',
        '-p',
        '{"spec":{"clusterIP":"10.43.0.99"}}',
      ]);
      assert.notEqual(change.code, 0);
      assert.match(
        change.stderr,
        /The Service "fixed" is invalid: spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.43\.0\.99"\}: may not change once set/,
      );
      ok(await run(['-n', ns, 'delete', 'svc', 'fixed']), 'delete');
      ok(
        await run([
          '-n',
          ns,
          'create',
          'service',
          'clusterip',
          'again',
          '--tcp=80',
          `--clusterip=${fixedIP}`,
        ]),
        'again',
      );
      assert.equal(
        ok(await run(['-n', ns, 'get', 'svc', 'again', '-o', 'jsonpath={.spec.clusterIP}']), 'get'),
        fixedIP,
      );
    });

    test('kubectl get events and get events.events.k8s.io show the same event', async () => {
      const event = `apiVersion: v1
kind: Event
metadata: {name: web.1, namespace: ${ns}}
involvedObject: {kind: Deployment, name: web, namespace: ${ns}}
reason: ScalingReplicaSet
message: Scaled up replica set web-1 to 1
type: Normal
count: 2
source: {component: deployment-controller}
`;
      ok(await run(['create', ...validate, '-f', '-'], event), 'create event');
      const core = table(ok(await run(['-n', ns, 'get', 'events']), 'get events'));
      const v1 = table(ok(await run(['-n', ns, 'get', 'events.events.k8s.io']), 'get events.events.k8s.io'));
      // Both views print the same table; LAST SEEN may tick between the two calls.
      assert.deepEqual(v1[0], core[0]);
      const cells = (rows: string[][]) =>
        ['TYPE', 'REASON', 'OBJECT', 'MESSAGE'].map((c) => rows[1]?.[rows[0]!.indexOf(c)]);
      assert.deepEqual(cells(v1), [
        'Normal',
        'ScalingReplicaSet',
        'deployment/web',
        'Scaled up replica set web-1 to 1',
      ]);
      assert.deepEqual(cells(v1), cells(core));
      const shape = JSON.parse(
        ok(await run(['-n', ns, 'get', 'events.v1.events.k8s.io', 'web.1', '-o', 'json']), 'get json'),
      ) as Record<string, unknown>;
      assert.equal(shape['apiVersion'], 'events.k8s.io/v1');
      assert.equal(shape['note'], 'Scaled up replica set web-1 to 1');
      assert.equal(shape['deprecatedCount'], 2);
      assert.deepEqual(shape['regarding'], { kind: 'Deployment', name: 'web', namespace: ns });
      const selected = ok(
        await run([
          '-n',
          ns,
          'get',
          'events.events.k8s.io',
          '--field-selector',
          'regarding.name=web',
          '-o',
          'name',
        ]),
        'field selector',
      );
      assert.match(selected, /web\.1/);
    });

    test('kubectl get hpa with an autoscaling/v1 manifest and with kubectl autoscale', async () => {
      const hpa = `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: h1, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  targetCPUUtilizationPercentage: 60
`;
      ok(await run(['create', ...validate, '-f', '-'], hpa), 'create hpa');
      ok(
        await run(['-n', ns, 'autoscale', 'deployment', 'web', '--name=h2', '--max=4', '--cpu-percent=70']),
        'autoscale',
      );
      const rows = table(ok(await run(['-n', ns, 'get', 'hpa']), 'get hpa'));
      assert.deepEqual(rows[0]?.slice(0, 6), [
        'NAME',
        'REFERENCE',
        'TARGETS',
        'MINPODS',
        'MAXPODS',
        'REPLICAS',
      ]);
      const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
      assert.equal(byName.get('h1')?.[1], 'Deployment/web');
      assert.deepEqual([byName.get('h1')?.[3], byName.get('h1')?.[4]], ['2', '5']);
      assert.equal(byName.get('h2')?.[4], '4');
      const v2 = JSON.parse(
        ok(await run(['-n', ns, 'get', 'horizontalpodautoscalers.v2.autoscaling', 'h1', '-o', 'json']), 'v2'),
      ) as { spec: { metrics: unknown[] } };
      assert.deepEqual(v2.spec.metrics, [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ]);
      const v1 = ok(
        await run([
          '-n',
          ns,
          'get',
          'horizontalpodautoscalers.v1.autoscaling',
          'h2',
          '-o',
          'jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}',
        ]),
        'v1',
      );
      assert.equal(v1, 'autoscaling/v1 70');
    });
  });
}
