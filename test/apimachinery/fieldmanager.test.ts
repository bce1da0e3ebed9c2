import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/apimachinery/errors.js';
import {
  applyConfiguration,
  compareObjects,
  decodeManagedFields,
  FieldSet,
  fieldManagerErrors,
  fieldSetOf,
  managedFieldsForUpdate,
  managerFromUserAgent,
  parseElement,
  pathString,
  serializeElement,
} from '../../src/apimachinery/fieldmanager/index.js';
import type {
  ApplyRequest,
  ManagedFieldsEntry,
  Path,
  WriteIdentity,
} from '../../src/apimachinery/fieldmanager/index.js';
import type { JsonObject } from '../../src/apimachinery/json.js';
import { smpSchemaFor } from '../../src/apimachinery/patch/index.js';

const deploySchema = smpSchemaFor('apps', 'v1', 'Deployment');
const cmSchema = smpSchemaFor('', 'v1', 'ConfigMap');

const deployment = (image: string, replicas?: number, extraContainer = false): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    ...(replicas !== undefined ? { replicas } : {}),
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image, ports: [{ containerPort: 80 }] },
          ...(extraContainer ? [{ name: 'side', image: 'busybox' }] : []),
        ],
      },
    },
  },
});

describe('FieldsV1 encoding', () => {
  test('path elements serialize as kube writes them', () => {
    assert.equal(serializeElement({ field: 'spec' }), 'f:spec');
    assert.equal(
      serializeElement(parseElement('k:{"protocol":"TCP","containerPort":80}')!),
      'k:{"containerPort":80,"protocol":"TCP"}',
    );
    assert.equal(serializeElement({ value: 'foregroundDeletion' }), 'v:"foregroundDeletion"');
    assert.equal(serializeElement({ index: 3 }), 'i:3');
    assert.equal(parseElement('x:unknown'), undefined);
    assert.throws(() => parseElement('k:[1]'));
  });

  test('the applied fields of a Deployment: list items by key (with defaulted protocol), atomic selector', () => {
    const set = fieldSetOf(deployment('nginx', 2), deploySchema);
    assert.deepEqual(set.toFieldsV1(), {
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                'f:image': {},
                'f:name': {},
                'f:ports': {
                  'k:{"containerPort":80,"protocol":"TCP"}': { 'f:containerPort': {}, '.': {} },
                },
                '.': {},
              },
            },
          },
        },
      },
    });
  });

  test('a FieldsV1 document from kube decodes, with "." marking members that have children', () => {
    const doc = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:finalizers': { 'v:"x"': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    };
    const set = FieldSet.fromFieldsV1(doc);
    assert.ok(set.has([{ field: 'metadata' }, { field: 'labels' }]));
    assert.ok(set.has([{ field: 'metadata' }, { field: 'labels' }, { field: 'app' }]));
    assert.ok(!set.has([{ field: 'metadata' }]));
    assert.ok(!set.has([{ field: 'spec' }, { field: 'containers' }]));
    assert.ok(set.has([{ field: 'metadata' }, { field: 'finalizers' }, { value: 'x' }]));
    const item: Path = [{ field: 'spec' }, { field: 'containers' }, parseElement('k:{"name":"nginx"}')!];
    assert.ok(set.has(item));
    assert.ok(set.has([...item, { field: 'image' }]));
    assert.deepEqual(FieldSet.fromFieldsV1(set.toFieldsV1()).toFieldsV1(), set.toFieldsV1());
    assert.equal(pathString([...item, { field: 'image' }]), '.spec.containers[name="nginx"].image');
    assert.equal(
      pathString([{ field: 'ports' }, parseElement('k:{"containerPort":80,"protocol":"TCP"}')!]),
      '.ports[containerPort=80,protocol="TCP"]',
    );
  });
});

describe('set operations', () => {
  const p = (...names: string[]): Path => names.map((field) => ({ field }));
  const a = FieldSet.of([p('a'), p('b', 'c'), p('b', 'd'), p('b')]);
  const b = FieldSet.of([p('b', 'c'), p('e')]);
  test('union, difference, intersection', () => {
    assert.deepEqual(a.union(b).paths().map(pathString), ['.a', '.b', '.b.c', '.b.d', '.e']);
    assert.deepEqual(a.difference(b).paths().map(pathString), ['.a', '.b', '.b.d']);
    assert.deepEqual(a.intersection(b).paths().map(pathString), ['.b.c']);
    assert.ok(a.intersection(FieldSet.of([p('z')])).isEmpty());
  });
  test('recursive difference drops whole subtrees', () => {
    assert.deepEqual(
      a
        .recursiveDifference(FieldSet.of([p('b')]))
        .paths()
        .map(pathString),
      ['.a'],
    );
    assert.deepEqual(
      a
        .difference(FieldSet.of([p('b')]))
        .paths()
        .map(pathString),
      ['.a', '.b.c', '.b.d'],
    );
  });
});

describe('changed fields', () => {
  test('added, modified and removed, by list key', () => {
    const c = compareObjects(deployment('nginx:1', 1), deployment('nginx:2', undefined, true), deploySchema);
    assert.deepEqual(c.modified.paths().map(pathString), [
      '.spec.template.spec.containers[name="web"].image',
    ]);
    assert.deepEqual(c.removed.paths().map(pathString), ['.spec.replicas']);
    assert.deepEqual(c.added.paths().map(pathString), [
      '.spec.template.spec.containers[name="side"]',
      '.spec.template.spec.containers[name="side"].image',
      '.spec.template.spec.containers[name="side"].name',
    ]);
  });
});

const who = (manager: string, extra: Partial<WriteIdentity> = {}): WriteIdentity => ({
  manager,
  apiVersion: 'apps/v1',
  schema: deploySchema,
  time: '2025-01-01T00:00:00Z',
  ...extra,
});
const withFields = (obj: JsonObject, entries: ManagedFieldsEntry[]): JsonObject => ({
  ...obj,
  metadata: { ...(obj['metadata'] as JsonObject), managedFields: entries as unknown as JsonObject[] },
});
const owners = (entries: ManagedFieldsEntry[], path: string) =>
  entries
    .filter((e) =>
      FieldSet.fromFieldsV1(e.fieldsV1)
        .paths()
        .some((p) => pathString(p) === path),
    )
    .map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);

describe('Update ownership', () => {
  test('create records everything under the creator; an update moves changed fields to the updater', () => {
    const created = managedFieldsForUpdate(
      undefined,
      deployment('nginx:1', 1),
      undefined,
      who('kubectl-create'),
    );
    assert.equal(created.length, 1);
    assert.equal(created[0]!.operation, 'Update');
    assert.equal(created[0]!.fieldsType, 'FieldsV1');
    assert.deepEqual((created[0]!.fieldsV1!['f:metadata'] as JsonObject)['f:labels'], {
      '.': {},
      'f:app': {},
    });
    assert.ok(
      !('f:name' in (created[0]!.fieldsV1!['f:metadata'] as JsonObject)),
      'server-owned metadata is not owned',
    );
    const live = withFields(deployment('nginx:1', 1), created);
    const scaled = managedFieldsForUpdate(
      live,
      deployment('nginx:1', 3),
      undefined,
      who('kubectl', { subresource: 'scale' }),
    );
    assert.deepEqual(owners(scaled, '.spec.replicas'), ['kubectl/Update/scale']);
    assert.deepEqual(owners(scaled, '.spec.template.spec.containers[name="web"].image'), [
      'kubectl-create/Update',
    ]);
  });

  test('a write that changes nothing adds no entry; one that leaves a manager nothing drops it', () => {
    const created = managedFieldsForUpdate(
      undefined,
      { metadata: { name: 'c' }, data: { a: '1' } },
      undefined,
      {
        ...who('a'),
        apiVersion: 'v1',
        schema: cmSchema,
      },
    );
    const live = withFields({ metadata: { name: 'c' }, data: { a: '1' } }, created);
    const same = managedFieldsForUpdate(live, { metadata: { name: 'c' }, data: { a: '1' } }, undefined, {
      ...who('b'),
      apiVersion: 'v1',
      schema: cmSchema,
    });
    assert.deepEqual(
      same.map((e) => e.manager),
      ['a'],
    );
    const taken = managedFieldsForUpdate(live, { metadata: { name: 'c' }, data: { a: '2' } }, undefined, {
      ...who('b'),
      apiVersion: 'v1',
      schema: cmSchema,
    });
    // `a` keeps the data map itself (it created it), `b` now owns the key it changed.
    assert.deepEqual(owners(taken, '.data.a'), ['b/Update']);
    assert.deepEqual(owners(taken, '.data'), ['a/Update']);
  });

  test('managedFields sent by the client replace the live ones; [] and [{}] clear them', () => {
    const live = withFields(
      deployment('nginx:1', 1),
      managedFieldsForUpdate(undefined, deployment('nginx:1', 1), undefined, who('x')),
    );
    const mine: ManagedFieldsEntry[] = [
      {
        manager: 'mine',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ];
    assert.deepEqual(
      managedFieldsForUpdate(live, deployment('nginx:1', 1), mine, who('y')).map((e) => e.manager),
      ['mine'],
    );
    assert.deepEqual(managedFieldsForUpdate(live, deployment('nginx:1', 1), [], who('y')), []);
    assert.deepEqual(managedFieldsForUpdate(live, deployment('nginx:1', 1), [{}], who('y')), []);
    assert.deepEqual(
      managedFieldsForUpdate(live, deployment('nginx:1', 1), undefined, who('y')).map((e) => e.manager),
      ['x'],
    );
  });

  test('more than ten Update managers fold the oldest into ancient-changes', () => {
    let obj: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    for (let i = 0; i < 12; i++) {
      const next: JsonObject = { ...obj, data: { ...(obj['data'] as JsonObject), [`k${i}`]: 'v' } };
      const entries = managedFieldsForUpdate(obj, next, undefined, {
        manager: `m${i}`,
        apiVersion: 'v1',
        schema: cmSchema,
        time: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z`,
      });
      obj = withFields(next, entries);
    }
    const managers = decodeManagedFields((obj['metadata'] as JsonObject)['managedFields']);
    assert.equal(managers.size, 10);
    const ancient = [...managers.values()].find((m) => m.manager === 'ancient-changes');
    assert.ok(ancient);
    assert.deepEqual(ancient.fields.paths().map(pathString), ['.data.k0', '.data.k1', '.data.k2']);
  });
});

const applyReq = (manager: string, force = false): ApplyRequest => ({
  ...who(manager),
  force,
  target: 'main',
  hasStatus: true,
});

describe('server-side apply', () => {
  test('apply creates, then conflicts with a field another manager changed, and force takes it', () => {
    const first = applyConfiguration(undefined, deployment('nginx:1', 2), applyReq('kubectl'));
    assert.equal((first.object['spec'] as JsonObject)['replicas'], 2);
    assert.deepEqual(
      first.managedFields.map((e) => [e.manager, e.operation]),
      [['kubectl', 'Apply']],
    );
    const live = withFields(first.object, first.managedFields);
    const scaledObj = structuredClone(live);
    (scaledObj['spec'] as JsonObject)['replicas'] = 5;
    const scaled = withFields(
      scaledObj,
      managedFieldsForUpdate(live, scaledObj, undefined, who('kubectl-scale', { subresource: 'scale' })),
    );

    // Same replicas as live: shared, no conflict.
    const shared = applyConfiguration(scaled, deployment('nginx:1', 5), applyReq('kubectl'));
    assert.deepEqual(owners(shared.managedFields, '.spec.replicas').sort(), [
      'kubectl-scale/Update/scale',
      'kubectl/Apply',
    ]);

    assert.throws(
      () => applyConfiguration(scaled, deployment('nginx:1', 2), applyReq('kubectl')),
      (err: unknown) => {
        assert.ok(E.isStatusError(err, 'Conflict'));
        assert.equal(err.code, 409);
        assert.equal(
          err.message,
          'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
        );
        assert.deepEqual(err.details?.causes, [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-scale" with subresource "scale" using apps/v1',
            field: '.spec.replicas',
          },
        ]);
        return true;
      },
    );
    const forced = applyConfiguration(scaled, deployment('nginx:1', 2), applyReq('kubectl', true));
    assert.equal((forced.object['spec'] as JsonObject)['replicas'], 2);
    assert.deepEqual(owners(forced.managedFields, '.spec.replicas'), ['kubectl/Apply']);
  });

  test('several conflicts are listed by manager', () => {
    const live = withFields(deployment('nginx:1', 1), [
      {
        manager: 'a',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
      {
        manager: 'b',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
          },
        },
      },
    ]);
    assert.throws(
      () => applyConfiguration(live, deployment('nginx:2', 4), applyReq('c')),
      (err: unknown) =>
        E.isStatusError(err, 'Conflict') &&
        err.message ===
          'Apply failed with 2 conflicts: conflicts with "a" using apps/v1:\n- .spec.replicas\nconflicts with "b":\n- .spec.template.spec.containers[name="web"].image' &&
        err.details?.causes?.length === 2,
    );
  });

  test('fields the manager stops applying are removed unless another manager owns them', () => {
    const first = applyConfiguration(undefined, deployment('nginx:1', 2, true), applyReq('kubectl'));
    const live = withFields(first.object, first.managedFields);
    const second = applyConfiguration(live, deployment('nginx:1', undefined, false), applyReq('kubectl'));
    const spec = second.object['spec'] as JsonObject;
    assert.equal(spec['replicas'], undefined);
    const containers = ((spec['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];
    assert.deepEqual(
      containers.map((c) => c['name']),
      ['web'],
    );

    // Another applier that also owns replicas keeps it alive.
    const other = applyConfiguration(
      live,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } },
      applyReq('other'),
    );
    const both = withFields(other.object, other.managedFields);
    const third = applyConfiguration(both, deployment('nginx:1'), applyReq('kubectl'));
    assert.equal((third.object['spec'] as JsonObject)['replicas'], 2);
  });

  test('status through the main resource is not owned; managedFields in the configuration are refused', () => {
    const cfg = { ...deployment('nginx:1', 1), status: { replicas: 3 } };
    const r = applyConfiguration(undefined, cfg, applyReq('kubectl'));
    assert.equal(owners(r.managedFields, '.status.replicas').length, 0);
    assert.throws(
      () => applyConfiguration(undefined, withFields(deployment('x'), []), applyReq('kubectl')),
      /metadata.managedFields must be nil/,
    );
    assert.throws(
      () =>
        applyConfiguration(
          undefined,
          { ...deployment('x'), apiVersion: 'apps/v1beta1' },
          applyReq('kubectl'),
        ),
      /Incorrect version specified in apply patch. Specified patch version: apps\/v1beta1, expected: apps\/v1/,
    );
  });
});

describe('manager names', () => {
  test('from the User-Agent program name', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0'), 'kubectl');
    assert.equal(managerFromUserAgent('kube\u0007ctl.1.32/v1.32.5'), 'kubectl.1.32');
    assert.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
  });
  test('fieldManager is validated as kube does', () => {
    assert.deepEqual(fieldManagerErrors('kubectl'), []);
    assert.equal(fieldManagerErrors('x'.repeat(129))[0]?.detail, 'Too long: may not be more than 128 bytes');
    assert.equal(
      fieldManagerErrors('a\u0001b')[0]?.detail,
      'Invalid value: "a\\u0001b": invalid character U+0001 (at position 1)',
    );
  });
});
