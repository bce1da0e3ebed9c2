/**
 * Server-side apply and managedFields through real kubectl (and @kubernetes/client-node) against a real
 * `k8ts server`: each kubectl version runs the same workflows in a namespace of its own.
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const versions = findKubectls([33, 30, 27]);
let server: RunningServer;
const cache = tempDir('k8ts-ssa-cache-');

before(async () => {
  // The API server alone: no controller or scheduler changes the objects these tests look at.
  server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
  // `kubectl edit` runs this instead of an editor: it changes the ConfigMap's value a.
  const editor = `${cache.dir}/editor.sh`;
  writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  a: .*/  a: edited/' "$1"\n`);
  chmodSync(editor, 0o755);
  process.env['KUBE_EDITOR'] = editor;
});
after(async () => {
  await server?.stop();
  cache.remove();
});

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

function deployment(ns: string, opts: { replicas: number; image: string; tier?: boolean }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels:
    app: web${opts.tier ? '\n    tier: front' : ''}
spec:
  replicas: ${opts.replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${opts.image}
        ports:
        - containerPort: 80
`;
}

const configMap = (ns: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: ${ns}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;

for (const k of versions) {
  describe(`kubectl ${k.version} server-side apply`, () => {
    const ns = `ssa-${k.version.replace('.', '-')}`;
    const run = (args: string[], input?: string) =>
      kubectl(k, server.kubeconfig, `${cache.dir}/${k.version}`, args, input);
    // kubectl scale sends no fieldManager: the server names it after the User-Agent's program name.
    const scaleManager = basename(k.path);
    const managed = async (kind: string, name: string): Promise<Entry[]> => {
      const out = ok(await run(['-n', ns, 'get', kind, name, '-o', 'json', '--show-managed-fields']), 'get');
      return (JSON.parse(out) as { metadata: { managedFields?: Entry[] } }).metadata.managedFields ?? [];
    };
    const get = async (kind: string, name: string, path: string) =>
      ok(await run(['-n', ns, 'get', kind, name, '-o', `jsonpath=${path}`]), 'get');

    test('apply --server-side creates, updates, and removes what the manifest drops', async () => {
      ok(await run(['create', 'ns', ns]), 'create ns');
      const created = ok(
        await run(
          ['apply', '--server-side', '-f', '-'],
          deployment(ns, { replicas: 2, image: 'nginx:1.25', tier: true }),
        ),
        'apply',
      );
      assert.match(created, /deployment.apps\/web serverside-applied/);
      assert.equal(await get('deploy', 'web', '{.spec.replicas} {.metadata.labels.tier}'), '2 front');
      const entries = await managed('deploy', 'web');
      assert.deepEqual(
        entries.map((e) => [e.manager, e.operation, e.fieldsType]),
        [['kubectl', 'Apply', 'FieldsV1']],
      );
      const spec = entries[0]!.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>;
      assert.deepEqual(spec['f:selector'], {});
      assert.ok('f:replicas' in spec);

      ok(
        await run(
          ['apply', '--server-side', '-f', '-'],
          deployment(ns, { replicas: 2, image: 'nginx:1.26' }),
        ),
        'apply change',
      );
      assert.equal(
        await get('deploy', 'web', '{.spec.template.spec.containers[0].image} {.metadata.labels}'),
        'nginx:1.26 {"app":"web"}',
      );
    });

    test('a field the type does not declare fails the apply', async () => {
      const r = await run(
        ['apply', '--server-side', '-f', '-'],
        `${configMap(ns, { a: '1' }).replace('name: cfg', 'name: undeclared')}bogus: 1\n`,
      );
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /failed to create typed patch object \(\/v1, Kind=ConfigMap\): \.bogus: field not declared in schema/,
      );
      assert.notEqual((await run(['-n', ns, 'get', 'cm', 'undeclared'])).code, 0);
    });

    test('a field another manager changed conflicts; --force-conflicts takes it', async () => {
      ok(await run(['-n', ns, 'scale', 'deploy', 'web', '--replicas=5']), 'scale');
      const scaled = await managed('deploy', 'web');
      const scaleEntry = scaled.find((e) => e.subresource === 'scale');
      assert.deepEqual(
        [scaleEntry?.manager, scaleEntry?.operation, scaleEntry?.apiVersion, scaleEntry?.fieldsV1],
        [scaleManager, 'Update', 'apps/v1', { 'f:spec': { 'f:replicas': {} } }],
      );
      const conflict = await run(
        ['apply', '--server-side', '-f', '-'],
        deployment(ns, { replicas: 3, image: 'nginx:1.26' }),
      );
      assert.notEqual(conflict.code, 0);
      assert.ok(
        conflict.stderr.includes(
          `Apply failed with 1 conflict: conflict with "${scaleManager}" with subresource "scale" using apps/v1: .spec.replicas`,
        ),
        conflict.stderr,
      );
      assert.match(conflict.stderr, /--force-conflicts/);
      assert.equal(await get('deploy', 'web', '{.spec.replicas}'), '5');

      ok(
        await run(
          ['apply', '--server-side', '--force-conflicts', '-f', '-'],
          deployment(ns, { replicas: 3, image: 'nginx:1.26' }),
        ),
        'force',
      );
      assert.equal(await get('deploy', 'web', '{.spec.replicas}'), '3');
      // The scale manager owned nothing else, so its entry is gone.
      const yaml = ok(
        await run(['-n', ns, 'get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields']),
        'yaml',
      );
      const shown = (parseYaml(yaml) as { metadata: { managedFields: Entry[] } }).metadata.managedFields;
      assert.deepEqual(
        shown.map((e) => `${e.manager}/${e.operation}`),
        ['kubectl/Apply'],
      );
      assert.match(shown[0]!.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const plain = ok(await run(['-n', ns, 'get', 'deploy', 'web', '-o', 'yaml']), 'yaml');
      assert.doesNotMatch(plain, /managedFields/);
    });

    test('client-side apply, then server-side apply migrates ownership to kubectl', async () => {
      ok(await run(['apply', '-f', '-'], configMap(ns, { a: '1', b: '2' })), 'client-side apply');
      assert.deepEqual(
        (await managed('cm', 'cfg')).map((e) => `${e.manager}/${e.operation}`),
        ['kubectl-client-side-apply/Update'],
      );
      ok(
        await run(['apply', '--server-side', '-f', '-'], configMap(ns, { a: '10', b: '2' })),
        'server-side apply',
      );
      assert.equal(await get('cm', 'cfg', '{.data.a}'), '10');
      const entries = await managed('cm', 'cfg');
      const names = entries.map((e) => `${e.manager}/${e.operation}`);
      assert.ok(names.includes('kubectl/Apply'), names.join());
      assert.ok(!names.includes('kubectl-client-side-apply/Update'), names.join());
      const lastApplied = await get(
        'cm',
        'cfg',
        "{.metadata.annotations['kubectl\\.kubernetes\\.io/last-applied-configuration']}",
      );
      assert.equal((JSON.parse(lastApplied) as { data: Record<string, string> }).data['a'], '10');
      // kubectl now owns b, so dropping it from the manifest removes it.
      ok(await run(['apply', '--server-side', '-f', '-'], configMap(ns, { a: '10' })), 'drop b');
      assert.equal(await get('cm', 'cfg', '{.data}'), '{"a":"10"}');
    });

    test('create, edit and patch record their managers', async () => {
      ok(await run(['-n', ns, 'create', 'configmap', 'made', '--from-literal=a=1']), 'create');
      ok(await run(['-n', ns, 'edit', 'configmap', 'made']), 'edit');
      assert.equal(await get('cm', 'made', '{.data.a}'), 'edited');
      ok(
        await run(['-n', ns, 'patch', 'configmap', 'made', '--type=merge', '-p', '{"data":{"b":"2"}}']),
        'patch',
      );
      const entries = await managed('cm', 'made');
      const owner = (key: string) =>
        entries
          .filter((e) => Object.hasOwn((e.fieldsV1['f:data'] as Record<string, unknown>) ?? {}, `f:${key}`))
          .map((e) => `${e.manager}/${e.operation}`);
      assert.deepEqual(owner('a'), ['kubectl-edit/Update']);
      assert.deepEqual(owner('b'), ['kubectl-patch/Update']);
      assert.ok(
        entries.some((e) => e.manager === 'kubectl-create'),
        JSON.stringify(entries),
      );
    });
  });
}

test('@kubernetes/client-node: managedFields round-trip', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  await api.createNamespace({ body: { metadata: { name: 'ssa-client-node' } } });
  await api.createNamespacedConfigMap({
    namespace: 'ssa-client-node',
    fieldManager: 'my-app',
    body: { metadata: { name: 'c' }, data: { a: '1' } },
  });
  const got = await api.readNamespacedConfigMap({ name: 'c', namespace: 'ssa-client-node' });
  const entry = got.metadata?.managedFields?.[0];
  assert.equal(entry?.manager, 'my-app');
  assert.equal(entry?.operation, 'Update');
  assert.ok(entry?.time instanceof Date);
  assert.deepEqual(entry?.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
  // Sending the entries back unchanged keeps them; the new writer gets its own entry.
  got.data = { a: '1', b: '2' };
  const replaced = await api.replaceNamespacedConfigMap({
    name: 'c',
    namespace: 'ssa-client-node',
    fieldManager: 'other',
    body: got,
  });
  assert.deepEqual(
    replaced.metadata?.managedFields?.map((e) => e.manager),
    ['my-app', 'other'],
  );
});
