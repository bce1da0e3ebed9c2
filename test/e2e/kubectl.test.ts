/**
 * The real, unmodified kubectl against a real `k8ts server`: each kubectl version found runs the same
 * workflows in a namespace of its own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import type { Kubectl } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const versions = findKubectls([33, 32, 30, 27]);
let server: RunningServer;
const cache = tempDir('k8ts-kubectl-cache-');

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
  cache.remove();
});

function manifest(ns: string, image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ${ns}
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: ${ns}
stringData:
  password: s3cret
`;
}

/** Splits a kubectl table into rows of cells. */
function table(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

for (const k of versions) {
  describe(`kubectl ${k.version}`, () => {
    const ns = `e2e-${k.version.replace('.', '-')}`;
    const run = (args: string[], input?: string) =>
      kubectl(k, server.kubeconfig, `${cache.dir}/${k.version}`, args, input);
    // Default validation on every version: 1.27/1.28 read /openapi/v2 (protobuf), 1.29+ /openapi/v3.
    const validate: string[] = [];

    test('get namespaces shows the system namespaces with their columns', async () => {
      const rows = table(ok(await run(['get', 'ns']), 'get ns'));
      assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
      const names = rows.slice(1).map((r) => r[0]);
      for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
        assert.ok(names.includes(n), n);
      for (const r of rows.slice(1)) assert.equal(r[1], 'Active');
    });

    test('apply creates, re-apply is unchanged, a changed image is configured (strategic merge)', async () => {
      const created = ok(await run(['apply', ...validate, '-f', '-'], manifest(ns, 'nginx:1.25')), 'apply');
      assert.match(created, new RegExp(`namespace/${ns} created`));
      assert.match(created, /deployment.apps\/web created/);
      assert.match(created, /service\/web created/);
      assert.match(created, /configmap\/cfg created/);
      assert.match(created, /secret\/creds created/);
      const again = ok(
        await run(['apply', ...validate, '-f', '-'], manifest(ns, 'nginx:1.25')),
        'apply again',
      );
      assert.match(again, /deployment.apps\/web unchanged/);
      const changed = ok(
        await run(['apply', ...validate, '-f', '-'], manifest(ns, 'nginx:1.26')),
        'apply change',
      );
      assert.match(changed, /deployment.apps\/web configured/);
      const got = ok(
        await run([
          '-n',
          ns,
          'get',
          'deploy',
          'web',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.metadata.generation}',
        ]),
        'get',
      );
      assert.equal(got, 'nginx:1.26 80 2');
    });

    test('get in every output form', async () => {
      const wide = table(ok(await run(['-n', ns, 'get', 'deploy', '-o', 'wide']), 'get wide'));
      assert.deepEqual(wide[0], [
        'NAME',
        'READY',
        'UP-TO-DATE',
        'AVAILABLE',
        'AGE',
        'CONTAINERS',
        'IMAGES',
        'SELECTOR',
      ]);
      assert.deepEqual(
        [wide[1]![0], wide[1]![1], wide[1]![5], wide[1]![6], wide[1]![7]],
        ['web', '0/2', 'web', 'nginx:1.26', 'app=web'],
      );
      assert.equal(
        ok(await run(['-n', ns, 'get', 'cm', 'cfg', '-o', 'name']), 'name').trim(),
        'configmap/cfg',
      );
      const json = JSON.parse(ok(await run(['-n', ns, 'get', 'secret', 'creds', '-o', 'json']), 'json')) as {
        data: Record<string, string>;
        type: string;
      };
      assert.equal(Buffer.from(json.data['password']!, 'base64').toString(), 's3cret');
      assert.equal(json.type, 'Opaque');
      assert.match(ok(await run(['-n', ns, 'get', 'svc', 'web', '-o', 'yaml']), 'yaml'), /^kind: Service$/m);
      const secrets = table(ok(await run(['-n', ns, 'get', 'secrets']), 'secrets'));
      assert.deepEqual(secrets[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
      assert.deepEqual(secrets[1]!.slice(0, 3), ['creds', 'Opaque', '1']);
      const all = ok(await run(['-n', ns, 'get', 'all']), 'get all');
      assert.match(all, /deployment.apps\/web/);
      assert.match(all, /service\/web/);
      assert.doesNotMatch(all, /configmap/);
    });

    test('scale, label, annotate, patch', async () => {
      assert.match(
        ok(await run(['-n', ns, 'scale', 'deploy', 'web', '--replicas=4']), 'scale'),
        /deployment.apps\/web scaled/,
      );
      assert.equal(
        ok(await run(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), 'get'),
        '4',
      );
      ok(await run(['-n', ns, 'label', 'cm', 'cfg', 'tier=config']), 'label');
      ok(await run(['-n', ns, 'annotate', 'cm', 'cfg', 'note=hi']), 'annotate');
      assert.equal(
        ok(await run(['-n', ns, 'get', 'cm', '-l', 'tier=config', '-o', 'name']), 'get -l').trim(),
        'configmap/cfg',
      );
      assert.equal(
        ok(await run(['-n', ns, 'get', 'cm', '-l', 'tier=other', '-o', 'name']), 'get -l none').trim(),
        '',
      );
      ok(
        await run(['-n', ns, 'patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"extra":"1"}}']),
        'merge patch',
      );
      ok(
        await run([
          '-n',
          ns,
          'patch',
          'cm',
          'cfg',
          '--type=json',
          '-p',
          '[{"op":"remove","path":"/data/greeting"}]',
        ]),
        'json patch',
      );
      const data = ok(await run(['-n', ns, 'get', 'cm', 'cfg', '-o', 'jsonpath={.data}']), 'get data');
      assert.deepEqual(JSON.parse(data), { extra: '1' });
    });

    test('errors come back with Kubernetes reasons and messages', async () => {
      const missing = await run(['-n', ns, 'get', 'deploy', 'missing']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /Error from server \(NotFound\): deployments.apps "missing" not found/);
      const dup = await run(
        ['create', ...validate, '-f', '-'],
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: ${ns}\n`,
      );
      assert.match(dup.stderr, /Error from server \(AlreadyExists\).*configmaps "cfg" already exists/);
      const bad = await run(
        ['apply', ...validate, '-f', '-'],
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: y}\n    spec:\n      containers: [{name: c, image: busybox}]\n`,
      );
      assert.notEqual(bad.code, 0);
      assert.match(
        bad.stderr,
        /The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/,
      );
      // kubectl 1.32+ sends this one as protobuf; older versions as JSON. Each wraps the error its own way.
      const noNs = await run(['-n', 'no-such-ns', 'create', 'configmap', 'x', '--from-literal=a=b']);
      assert.notEqual(noNs.code, 0);
      assert.match(noNs.stderr, /namespaces "no-such-ns" not found/);
      const created = await run(['-n', ns, 'create', 'configmap', 'made', '--from-literal=a=b']);
      assert.match(ok(created, 'create configmap'), /configmap\/made created/);
      assert.equal(
        ok(await run(['-n', ns, 'get', 'cm', 'made', '-o', 'jsonpath={.data.a}']), 'get made'),
        'b',
      );
    });

    test('delete', async () => {
      assert.match(ok(await run(['-n', ns, 'delete', 'cm', 'cfg']), 'delete'), /configmap "cfg" deleted/);
      const gone = await run(['-n', ns, 'get', 'cm', 'cfg']);
      assert.match(gone.stderr, /configmaps "cfg" not found/);
      assert.match(
        ok(await run(['-n', ns, 'delete', 'deploy', 'web']), 'delete deploy'),
        /deployment.apps "web" deleted/,
      );
    });

    test('api-resources, version', async () => {
      const cluster = ok(await run(['api-resources', '--namespaced=false', '-o', 'name']), 'api-resources');
      for (const r of [
        'namespaces',
        'nodes',
        'persistentvolumes',
        'clusterroles.rbac.authorization.k8s.io',
        'storageclasses.storage.k8s.io',
      ])
        assert.ok(cluster.split('\n').includes(r), r);
      assert.ok(!cluster.split('\n').includes('pods'));
      const namespaced = ok(await run(['api-resources', '--namespaced=true', '-o', 'name']), 'api-resources');
      for (const r of [
        'pods',
        'deployments.apps',
        'jobs.batch',
        'ingresses.networking.k8s.io',
        'leases.coordination.k8s.io',
      ])
        assert.ok(namespaced.split('\n').includes(r), r);
      const v = ok(await run(['version', '-o', 'json']), 'version');
      assert.equal((JSON.parse(v) as { serverVersion: { minor: string } }).serverVersion.minor, '32');
    });
  });
}

test('kubectl get -w streams changes as they happen', async () => {
  const k: Kubectl = versions[0]!;
  const dir = `${cache.dir}/watch`;
  const ns = 'e2e-watch';
  ok(
    await kubectl(
      k,
      server.kubeconfig,
      dir,
      ['apply', '-f', '-'],
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
    ),
    'ns',
  );
  const args = [
    '--kubeconfig',
    server.kubeconfig,
    '--cache-dir',
    dir,
    'get',
    'cm',
    '-n',
    ns,
    '-w',
    '--output-watch-events',
  ];
  const child = spawn(k.path, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: cache.dir },
  });
  const deadline = setTimeout(() => child.kill(), 30_000);
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    // With nothing to list yet, kubectl prints its header together with the first event.
    await new Promise((r) => setTimeout(r, 500));
    const create = await kubectl(
      k,
      server.kubeconfig,
      dir,
      ['create', '-f', '-'],
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n  namespace: ${ns}\n`,
    );
    ok(create, 'create');
    const seen: string[] = [];
    for (;;) {
      const r = await lines.next();
      if (r.done) break;
      seen.push(r.value);
      if (/watched/.test(r.value)) break;
    }
    assert.match(seen[0] ?? '', /EVENT\s+NAME\s+DATA\s+AGE/, seen.join('\n'));
    assert.match(seen.at(-1) ?? '', /^ADDED\s+watched\s+0\s+/, seen.join('\n'));
  } finally {
    clearTimeout(deadline);
    child.kill();
  }
});
