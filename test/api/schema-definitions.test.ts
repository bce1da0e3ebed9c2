/** The schema definitions the build generates from kubernetes-models, as the API server reads them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitions } from '../../src/api/schema/definitions.js';
import { definitionForKind, fieldTreeFor } from '../../src/api/schema/field-tree.js';
import type { SchemaNode } from '../../src/api/schema/types.js';

const def = (name: string): SchemaNode => {
  const d = definitions().get(name);
  assert.ok(d, `${name} is generated`);
  return d;
};
const prop = (name: string, key: string): SchemaNode => {
  const p = def(name).properties?.[key];
  assert.ok(p, `${name}.${key}`);
  return p;
};

test('PodSpec: required containers, a list merged by name, with the upstream description', () => {
  const spec = def('io.k8s.api.core.v1.PodSpec');
  assert.deepEqual(spec.required, ['containers']);
  assert.match(spec.description ?? '', /description of a pod/i);
  const containers = prop('io.k8s.api.core.v1.PodSpec', 'containers');
  assert.equal(containers.type, 'array');
  assert.deepEqual(containers.items, { ref: 'io.k8s.api.core.v1.Container' });
  assert.equal(containers.patchMergeKey, 'name');
  assert.equal(containers.patchStrategy, 'merge');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'volumes').patchStrategy, 'merge,retainKeys');
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'tolerations').patchStrategy, undefined);
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy').patchStrategy, 'retainKeys');
});

test('ObjectMeta: finalizers are a merged set, ownerReferences merge on uid, timestamps are date-time', () => {
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  assert.equal(prop(meta, 'finalizers').listType, 'set');
  assert.equal(prop(meta, 'ownerReferences').patchMergeKey, 'uid');
  assert.equal(prop(meta, 'creationTimestamp').ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time');
  assert.equal(def('io.k8s.apimachinery.pkg.apis.meta.v1.Time').format, 'date-time');
  assert.deepEqual(prop(meta, 'labels').additionalProperties, { type: 'string' });
});

test('integers carry their protobuf width; []byte is byte; IntOrString and Quantity as Kubernetes types them', () => {
  assert.deepEqual(
    {
      type: prop('io.k8s.api.core.v1.ContainerPort', 'containerPort').type,
      format: prop('io.k8s.api.core.v1.ContainerPort', 'containerPort').format,
    },
    { type: 'integer', format: 'int32' },
  );
  assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation').format, 'int64');
  assert.equal(prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties?.format, 'byte');
  const ios = def('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(ios.format, 'int-or-string');
  assert.deepEqual(ios.oneOfTypes, ['integer', 'string']);
  assert.deepEqual(def('io.k8s.apimachinery.pkg.api.resource.Quantity').oneOfTypes, ['string', 'number']);
});

test('top-level kinds carry their group-version-kind; apiVersion and kind are documented, never required', () => {
  const d = def('io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(d.gvk, [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  assert.equal(d.required, undefined);
  assert.match(prop('io.k8s.api.apps.v1.Deployment', 'apiVersion').description ?? '', /versioned schema/);
  assert.equal(definitionForKind('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(
    definitionForKind('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
    'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  );
  assert.deepEqual(prop('io.k8s.api.core.v1.Container', 'imagePullPolicy').enum, [
    'Always',
    'IfNotPresent',
    'Never',
  ]);
});

test('the field tree of a kind follows references down to container fields', () => {
  const tree = fieldTreeFor('apps', 'v1', 'Deployment');
  assert.equal(tree?.kind, 'struct');
  if (tree?.kind !== 'struct') return;
  const spec = tree.fields.get('spec');
  assert.equal(spec?.kind, 'struct');
  assert.equal(fieldTreeFor('example.com', 'v1', 'Nothing'), undefined);
});
