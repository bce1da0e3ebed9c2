import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStatusError, type StatusReason } from '../../src/apimachinery/errors.js';
import type { JsonObject, JsonValue } from '../../src/apimachinery/json.js';
import {
  applyStrategicMergePatch,
  REJECTED_MESSAGE,
  smpSchemaFor,
  type SmpSchema,
} from '../../src/apimachinery/patch/index.js';

const deploymentSchema = smpSchemaFor('apps', 'v1', 'Deployment');
const podSchema = smpSchemaFor('', 'v1', 'Pod');

function deployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' },
      finalizers: ['example.com/a'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }],
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          restartPolicy: 'Always',
        },
      },
    },
  };
}

/** The object at a dotted path (list indices as numbers). */
function at(v: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  return cur;
}

const names = (list: JsonValue | undefined) => (list as JsonObject[]).map((c) => c.name);

function assertStatus(fn: () => unknown, code: number, reason: StatusReason, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err, reason), String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('kubectl apply', () => {
  test('the observed apply body updates the image and keeps the ports', () => {
    const body = JSON.parse(
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}\\n"}},' +
        '"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],' +
        '"containers":[{"image":"nginx:1.26","name":"web"}]}}}}',
    ) as JsonValue;
    const original = deployment();
    const out = applyStrategicMergePatch(original, body, deploymentSchema);

    const want = deployment();
    (at(want, 'metadata.annotations') as JsonObject)['kubectl.kubernetes.io/last-applied-configuration'] =
      '{"new":true}\n';
    (at(want, 'spec.template.spec.containers.0') as JsonObject).image = 'nginx:1.26';
    assert.deepEqual(out, want);
    assert.deepEqual(at(out, 'spec.template.spec.containers.0.ports'), [
      { containerPort: 80, protocol: 'TCP' },
    ]);
    assert.deepEqual(original, deployment(), 'the input is not modified');
  });

  test('apply removing a container and an env var with $patch: delete', () => {
    const doc = deployment();
    const containers = at(doc, 'spec.template.spec.containers') as JsonObject[];
    containers.push({ name: 'sidecar', image: 'busybox' });
    const out = applyStrategicMergePatch(
      doc,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'web' }],
              containers: [
                { name: 'web', '$setElementOrder/env': [], env: [{ name: 'A', $patch: 'delete' }] },
                { name: 'sidecar', $patch: 'delete' },
              ],
            },
          },
        },
      },
      deploymentSchema,
    );
    assert.deepEqual(names(at(out, 'spec.template.spec.containers')), ['web']);
    assert.deepEqual(at(out, 'spec.template.spec.containers.0.env'), []);
  });

  test('strategy change from RollingUpdate to Recreate clears rollingUpdate with $retainKeys', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
      deploymentSchema,
    );
    assert.deepEqual(at(out, 'spec.strategy'), { type: 'Recreate' });
  });

  test('volume source change with $retainKeys on the list element', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/volumes': [{ name: 'data' }],
              volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'data' }],
            },
          },
        },
      },
      deploymentSchema,
    );
    assert.deepEqual(at(out, 'spec.template.spec.volumes'), [{ name: 'data', configMap: { name: 'cm' } }]);
  });
});

describe('lists merged by key', () => {
  const pod = (containers: JsonObject[]): JsonObject => ({ metadata: { name: 'p' }, spec: { containers } });

  test('an element is merged into the one with its key; the others are kept', () => {
    const out = applyStrategicMergePatch(
      pod([
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1', args: ['x'] },
      ]),
      { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers'), [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2', args: ['x'] },
    ]);
  });

  test('nested lists merge by their own keys (env by name, ports by containerPort)', () => {
    const out = applyStrategicMergePatch(
      pod([
        {
          name: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
          ports: [{ containerPort: 80 }, { containerPort: 443 }],
          args: ['--one', '--two'],
        },
      ]),
      {
        spec: {
          containers: [
            {
              name: 'a',
              env: [{ name: 'Y', value: '3' }],
              ports: [{ containerPort: 443, name: 'https' }],
              args: ['--three'],
            },
          ],
        },
      },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers.0'), {
      name: 'a',
      env: [
        { name: 'X', value: '1' },
        { name: 'Y', value: '3' },
      ],
      ports: [{ containerPort: 80 }, { containerPort: 443, name: 'https' }],
      args: ['--three'],
    });
  });

  test('a new element is added; without $setElementOrder kube puts patch elements first', () => {
    const out = applyStrategicMergePatch(
      pod([{ name: 'a' }, { name: 'b' }]),
      { spec: { containers: [{ name: 'c', image: 'c:1' }] } },
      podSchema,
    );
    assert.deepEqual(names(at(out, 'spec.containers')), ['c', 'a', 'b']);
  });

  test('the patch order wins, with server-only elements placed by their original position', () => {
    const out = applyStrategicMergePatch(
      pod([{ name: '1' }, { name: '2', v: 'b' }, { name: '3' }]),
      {
        spec: {
          containers: [
            { name: '3', v: 'c' },
            { name: '1', v: 'a' },
          ],
        },
      },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers'), [
      { name: '2', v: 'b' },
      { name: '3', v: 'c' },
      { name: '1', v: 'a' },
    ]);
  });

  test('$patch: delete removes every element with that key', () => {
    const out = applyStrategicMergePatch(
      pod([{ name: 'a' }, { name: 'b' }, { name: 'a', dup: true }, { name: 'c' }]),
      { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
      podSchema,
    );
    assert.deepEqual(names(at(out, 'spec.containers')), ['b', 'c']);
    const missing = applyStrategicMergePatch(
      pod([{ name: 'b' }]),
      { spec: { containers: [{ name: 'zzz', $patch: 'delete' }] } },
      podSchema,
    );
    assert.deepEqual(names(at(missing, 'spec.containers')), ['b']);
  });

  test('$patch: replace makes the patch list the new list', () => {
    const out = applyStrategicMergePatch(
      pod([{ name: 'a', image: 'a' }, { name: 'b' }]),
      { spec: { containers: [{ name: 'c', image: 'c', gone: null }, { $patch: 'replace' }] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers'), [{ name: 'c', image: 'c' }]);
    const emptied = applyStrategicMergePatch(
      pod([{ name: 'a' }]),
      { spec: { containers: [{ $patch: 'replace' }] } },
      podSchema,
    );
    assert.deepEqual(at(emptied, 'spec.containers'), []);
  });

  test('null deletes a field of a merged element', () => {
    const out = applyStrategicMergePatch(
      pod([{ name: 'a', image: 'a', command: ['sh'] }]),
      { spec: { containers: [{ name: 'a', command: null }] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers'), [{ name: 'a', image: 'a' }]);
  });

  test('elements without the merge key are refused (500, as kube)', () => {
    assertStatus(
      () =>
        applyStrategicMergePatch(pod([{ name: 'a' }]), { spec: { containers: [{ image: 'x' }] } }, podSchema),
      500,
      'InternalError',
      'map: map[image:x] does not contain declared merge key: name',
    );
  });

  test('kube 500s carry no reason on the wire', () => {
    try {
      applyStrategicMergePatch(pod([{ name: 'a' }]), { spec: { containers: [{ image: 'x' }] } }, podSchema);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(isStatusError(err));
      const status = err.toStatus();
      assert.equal(status.code, 500);
      assert.equal(status.reason, undefined);
    }
  });
});

describe('$setElementOrder', () => {
  const withContainers = (...ns: string[]): JsonObject => ({
    spec: { containers: ns.map((name) => ({ name, image: `${name}:1` })) },
  });

  test('reorders a list without changing its elements', () => {
    const out = applyStrategicMergePatch(
      withContainers('a', 'b', 'c'),
      { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.containers'), [
      { name: 'c', image: 'c:1' },
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ]);
  });

  test('orders added elements; elements it does not mention keep their place among the others', () => {
    const out = applyStrategicMergePatch(
      withContainers('1', '2', '9', '3', '4'),
      {
        spec: { '$setElementOrder/containers': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
      },
      podSchema,
    );
    assert.deepEqual(names(at(out, 'spec.containers')), ['2', '1', '9', '4', '3']);

    const added = applyStrategicMergePatch(
      withContainers('1', '3'),
      {
        spec: { '$setElementOrder/containers': [{ name: '1' }, { name: '2' }], containers: [{ name: '2' }] },
      },
      podSchema,
    );
    assert.deepEqual(names(at(added, 'spec.containers')), ['1', '2', '3']);
  });

  test('orders a list of scalars', () => {
    const out = applyStrategicMergePatch(
      { metadata: { finalizers: ['1', '4', '2'] } },
      { metadata: { '$setElementOrder/finalizers': ['3', '1', '2'], finalizers: ['3'] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'metadata.finalizers'), ['3', '1', '4', '2']);
  });

  test('an order that contradicts the patch list is refused', () => {
    assertStatus(
      () =>
        applyStrategicMergePatch(
          withContainers('1', '3', '2'),
          {
            spec: {
              '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }],
              containers: [{ name: '3' }, { name: '1' }],
            },
          },
          podSchema,
        ),
      500,
      'InternalError',
      "The order in patch list:\n[map[name:3] map[name:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n",
    );
  });

  test('a malformed directive key is 400', () => {
    assertStatus(
      () => applyStrategicMergePatch(withContainers('a'), { spec: { $setElementOrder: [] } }, podSchema),
      400,
      'BadRequest',
      'invalid patch format of setElementOrder list',
    );
  });
});

describe('lists of scalars', () => {
  const meta = (finalizers: string[]): JsonObject => ({ metadata: { name: 'x', finalizers } });

  test('finalizers merge as a set union', () => {
    const out = applyStrategicMergePatch(
      meta(['a', 'b']),
      { metadata: { finalizers: ['b', 'c'] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'metadata.finalizers'), ['a', 'b', 'c']);
    const dup = applyStrategicMergePatch(meta(['a']), { metadata: { finalizers: ['a', 'a'] } }, podSchema);
    assert.deepEqual(at(dup, 'metadata.finalizers'), ['a']);
  });

  test('$deleteFromPrimitiveList removes values (all duplicates too)', () => {
    const out = applyStrategicMergePatch(
      meta(['a', 'b', 'c', 'b']),
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } },
      podSchema,
    );
    assert.deepEqual(at(out, 'metadata.finalizers'), ['a', 'c']);
  });

  test('$deleteFromPrimitiveList on a missing list adds nothing, and works on replace lists too', () => {
    const none = applyStrategicMergePatch(
      { metadata: {} },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      podSchema,
    );
    assert.deepEqual(none, { metadata: {} });
    const args = applyStrategicMergePatch(
      { spec: { containers: [{ name: 'c', args: ['-a', '-b'] }] } },
      { spec: { containers: [{ name: 'c', '$deleteFromPrimitiveList/args': ['-a'] }] } },
      podSchema,
    );
    assert.deepEqual(at(args, 'spec.containers.0.args'), ['-b']);
  });

  test('kubectl apply replacing a finalizer: order, addition and deletion together', () => {
    const out = applyStrategicMergePatch(
      meta(['a', 'b']),
      {
        metadata: {
          '$setElementOrder/finalizers': ['a', 'c'],
          '$deleteFromPrimitiveList/finalizers': ['b'],
          finalizers: ['c'],
        },
      },
      podSchema,
    );
    assert.deepEqual(at(out, 'metadata.finalizers'), ['a', 'c']);
  });

  test('a malformed deletion key is 400', () => {
    assertStatus(
      () =>
        applyStrategicMergePatch(meta(['a']), { metadata: { $deleteFromPrimitiveList: ['a'] } }, podSchema),
      400,
      'BadRequest',
      'invalid patch format of primitive list',
    );
  });

  test('lists without a merge strategy are replaced wholesale', () => {
    const out = applyStrategicMergePatch(
      {
        spec: {
          tolerations: [{ key: 'a' }, { key: 'b' }],
          containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }],
        },
      },
      {
        spec: {
          tolerations: [{ key: 'c' }],
          containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'y' } }] }],
        },
      },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.tolerations'), [{ key: 'c' }]);
    assert.deepEqual(at(out, 'spec.containers.0.envFrom'), [{ secretRef: { name: 'y' } }]);
  });

  test('lists of lists are 422 with the fixed message; mixed element types are a 500', () => {
    assertStatus(
      () => applyStrategicMergePatch(meta([]), { metadata: { finalizers: [['x']] } }, podSchema),
      422,
      'Invalid',
      REJECTED_MESSAGE,
    );
    assertStatus(
      () => applyStrategicMergePatch(meta(['a']), { metadata: { finalizers: [1] } }, podSchema),
      500,
      'InternalError',
      'list element types are not identical: [[a] [1]]',
    );
  });
});

describe('maps', () => {
  test('maps merge recursively and null deletes', () => {
    const out = applyStrategicMergePatch(
      { metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'y' } } },
      { metadata: { labels: { b: null, c: '3' }, annotations: null } },
      podSchema,
    );
    assert.deepEqual(out, { metadata: { labels: { a: '1', c: '3' } } });
  });

  test('$patch: replace replaces a map instead of merging', () => {
    const out = applyStrategicMergePatch(
      { spec: { securityContext: { runAsUser: 1, fsGroup: 2 } } },
      { spec: { securityContext: { $patch: 'replace', runAsNonRoot: true } } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.securityContext'), { runAsNonRoot: true });
  });

  test('$patch: delete empties a map; $patch: replace at the top replaces the object', () => {
    const out = applyStrategicMergePatch(
      { metadata: { labels: { a: '1' } }, spec: { x: 1 } },
      { metadata: { labels: { $patch: 'delete' } } },
      podSchema,
    );
    assert.deepEqual(out, { metadata: { labels: {} }, spec: { x: 1 } });
    assert.deepEqual(
      applyStrategicMergePatch({ a: 1, b: { c: 2 } }, { $patch: 'replace', z: 1 }, podSchema),
      { z: 1 },
    );
  });

  test('$patch: merge and unknown values are refused as kube refuses them', () => {
    assertStatus(
      () =>
        applyStrategicMergePatch(
          { spec: { s: { a: 1 } } },
          { spec: { s: { $patch: 'merge', b: 1 } } },
          podSchema,
        ),
      500,
      'InternalError',
      'unknown patch type: merge in map: map[$patch:merge b:1]',
    );
    assertStatus(
      () =>
        applyStrategicMergePatch(
          { spec: { containers: [{ name: 'a' }] } },
          { spec: { containers: [{ name: 'a', $patch: 'merge' }] } },
          podSchema,
        ),
      500,
      'InternalError',
      'merging lists cannot yet be specified in the patch',
    );
  });

  test('$retainKeys clears keys not listed, and every patched key must be listed', () => {
    const out = applyStrategicMergePatch(
      { spec: { u: { foo: 'a', other: 'b' } } },
      { spec: { u: { $retainKeys: ['another', 'bar'], another: 'd', bar: 'c' } } },
      podSchema,
    );
    assert.deepEqual(at(out, 'spec.u'), { another: 'd', bar: 'c' });
    assertStatus(
      () =>
        applyStrategicMergePatch(
          { spec: { u: {} } },
          { spec: { u: { $retainKeys: ['a'], b: 1 } } },
          podSchema,
        ),
      400,
      'BadRequest',
      'invalid patch format of retainKeys',
    );
    assertStatus(
      () => applyStrategicMergePatch({ spec: { u: {} } }, { spec: { u: { $retainKeys: 'a' } } }, podSchema),
      400,
      'BadRequest',
      'invalid patch format of retainKeys',
    );
  });

  test('new values lose nulls and directives, as they do once kube decodes them', () => {
    const out = applyStrategicMergePatch(
      { spec: {} },
      {
        spec: {
          affinity: { nodeAffinity: null, podAffinity: { x: 1 } },
          containers: [
            { name: 'a', env: [{ name: 'E', $patch: 'delete' }, { name: 'F' }], '$setElementOrder/env': [] },
          ],
          gone: { $patch: 'delete' },
        },
      },
      podSchema,
    );
    assert.deepEqual(out, {
      spec: { affinity: { podAffinity: { x: 1 } }, containers: [{ name: 'a', env: [{ name: 'F' }] }] },
    });
  });

  test('keys that merely start with $ are data (JSON Schema in a CRD)', () => {
    const out = applyStrategicMergePatch(
      { spec: { schema: { $ref: '#/a' } } },
      { spec: { schema: { $ref: '#/b', $schema: 'x' }, extra: { $id: 'y', $patchy: 1 } } },
      smpSchemaFor('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
    );
    assert.deepEqual(out, {
      spec: { schema: { $ref: '#/b', $schema: 'x' }, extra: { $id: 'y', $patchy: 1 } },
    });
  });

  test('a value of another type replaces the original', () => {
    assert.deepEqual(applyStrategicMergePatch({ a: { b: 1 } }, { a: [1] }, podSchema), { a: [1] });
    assert.deepEqual(applyStrategicMergePatch({ a: [1] }, { a: 'x' }, podSchema), { a: 'x' });
  });
});

describe('schemas and bodies', () => {
  test('kinds without a schema replace lists, but metadata still merges', () => {
    const schema = smpSchemaFor('example.com', 'v1', 'Widget');
    const out = applyStrategicMergePatch(
      { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'a' }] } },
      { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'b' }] } },
      schema,
    );
    // New set members come before the server's unless the original order places those first.
    assert.deepEqual(out, { metadata: { finalizers: ['b', 'a'] }, spec: { items: [{ name: 'b' }] } });
  });

  test('ownerReferences merge by uid', () => {
    const out = applyStrategicMergePatch(
      { metadata: { ownerReferences: [{ uid: '1', name: 'a' }] } },
      { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] } },
      smpSchemaFor('', 'v1', 'ConfigMap'),
    );
    assert.deepEqual(at(out, 'metadata.ownerReferences'), [
      { uid: '2', name: 'b' },
      { uid: '1', name: 'a' },
    ]);
  });

  test('service ports merge by port', () => {
    const out = applyStrategicMergePatch(
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      smpSchemaFor('', 'v1', 'Service'),
    );
    assert.deepEqual(at(out, 'spec.ports'), [{ port: 80, targetPort: 9090 }]);
  });

  test('PodDisruptionBudget selector is replaced, not merged (patchStrategy replace)', () => {
    const out = applyStrategicMergePatch(
      { spec: { selector: { matchLabels: { app: 'a', tier: 'b' } }, minAvailable: 1 } },
      { spec: { selector: { matchLabels: { app: 'c' } } } },
      smpSchemaFor('policy', 'v1', 'PodDisruptionBudget'),
    );
    assert.deepEqual(out, { spec: { selector: { matchLabels: { app: 'c' } }, minAvailable: 1 } });
  });

  test('tags of the built-in kinds', () => {
    const podSpec = smpSchemaFor('apps', 'v1', 'StatefulSet').fields?.spec?.fields?.template?.fields?.spec;
    assert.deepEqual(
      podSpec,
      smpSchemaFor('batch', 'v1', 'Job').fields?.spec?.fields?.template?.fields?.spec,
    );
    const f = podSpec?.fields ?? {};
    assert.equal(f.containers?.mergeKey, 'name');
    assert.equal(f.initContainers?.mergeKey, 'name');
    assert.equal(f.ephemeralContainers?.items?.fields?.env?.mergeKey, 'name');
    assert.deepEqual(f.volumes, { patchStrategy: 'merge', mergeKey: 'name', retainKeys: true });
    assert.equal(f.imagePullSecrets?.mergeKey, 'name');
    assert.equal(f.hostAliases?.mergeKey, 'ip');
    assert.equal(f.tolerations, undefined);
    const c = f.containers?.items?.fields ?? {};
    assert.equal(c.ports?.mergeKey, 'containerPort');
    assert.equal(c.volumeMounts?.mergeKey, 'mountPath');
    assert.equal(c.volumeDevices?.mergeKey, 'devicePath');
    assert.equal(c.envFrom, undefined);
    assert.deepEqual(smpSchemaFor('apps', 'v1', 'Deployment').fields?.spec?.fields?.strategy, {
      retainKeys: true,
    });
    assert.equal(smpSchemaFor('', 'v1', 'Service').fields?.spec?.fields?.ports?.mergeKey, 'port');
    const cronPod = smpSchemaFor('batch', 'v1', 'CronJob').fields?.spec?.fields?.jobTemplate?.fields?.spec;
    assert.equal(cronPod?.fields?.template?.fields?.spec, podSpec);
  });

  test('a custom schema: map values and replace strategy on an object', () => {
    const schema: SmpSchema = {
      fields: {
        byName: { values: { fields: { items: { patchStrategy: 'merge', mergeKey: 'id' } } } },
        atomic: { patchStrategy: 'replace' },
      },
    };
    const out = applyStrategicMergePatch(
      { byName: { x: { items: [{ id: 1, v: 'a' }] } }, atomic: { a: 1, b: 2 } },
      { byName: { x: { items: [{ id: 2, v: 'b' }] } }, atomic: { c: 3 } },
      schema,
    );
    assert.deepEqual(out, {
      byName: {
        x: {
          items: [
            { id: 2, v: 'b' },
            { id: 1, v: 'a' },
          ],
        },
      },
      atomic: { c: 3 },
    });
  });

  test('a null patch changes nothing; a patch that is not an object is 400', () => {
    assert.deepEqual(applyStrategicMergePatch({ a: 1 }, null, podSchema), { a: 1 });
    assertStatus(
      () => applyStrategicMergePatch({ a: 1 }, [1], podSchema),
      400,
      'BadRequest',
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  });
});
