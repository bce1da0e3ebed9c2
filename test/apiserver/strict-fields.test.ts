/** Strict decoding checks: unknown and duplicate fields with Kubernetes' paths and texts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldTreeFor } from '../../src/api/schema/field-tree.js';
import {
  pruneUnknownFields,
  strictJsonErrors,
  unknownFieldErrors,
} from '../../src/apiserver/validation/strict-fields.js';
import { fieldValidationOf } from '../../src/apiserver/validation/field-validation.js';
import { StatusError } from '../../src/apimachinery/errors.js';

const deployment = fieldTreeFor('apps', 'v1', 'Deployment')!;
const configMap = fieldTreeFor('', 'v1', 'ConfigMap')!;

test('a valid object has no errors', () => {
  const body = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a/b': 'c' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx',
              ports: [{ containerPort: 80 }],
              resources: { limits: { cpu: '1' } },
            },
          ],
        },
      },
    },
    status: {},
  });
  assert.deepEqual(strictJsonErrors(body, deployment), []);
});

test('unknown fields are reported in document order with dotted paths and list indexes', () => {
  const body =
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","nam":"x"},' +
    '"spec":{"foo":{"deep":1},"Replicas":1,"template":{"spec":{"containers":[{"name":"a"},{"name":"b","bogus":true}]}}}}';
  assert.deepEqual(strictJsonErrors(body, deployment), [
    'unknown field "metadata.nam"',
    'unknown field "spec.foo"',
    'unknown field "spec.Replicas"',
    'unknown field "spec.template.spec.containers[1].bogus"',
  ]);
});

test('duplicate fields, also map keys, interleave with unknown ones; each error once', () => {
  const body =
    '{"kind":"ConfigMap","data":{"a":"1","a":"2"},"kind":"ConfigMap","x":1,"x":2,"metadata":{"labels":{"k":"v"}}}';
  assert.deepEqual(strictJsonErrors(body, configMap), [
    'duplicate field "data.a"',
    'duplicate field "kind"',
    'unknown field "x"',
    'duplicate field "x"',
  ]);
});

test('escaped keys are compared decoded; values of unknown fields are not looked into', () => {
  assert.deepEqual(strictJsonErrors('{"d\\u0061ta":{},"zz":{"q":1,"q":2}}', configMap), [
    'unknown field "zz"',
  ]);
});

test('untyped (patch bodies): duplicates at every depth, nothing is unknown', () => {
  assert.deepEqual(strictJsonErrors('{"spec":{"a":[{"b":1,"b":2}]},"x":1}', null), [
    'duplicate field "spec.a[0].b"',
  ]);
});

test('decoded values (YAML bodies, patched objects) are checked for unknown fields', () => {
  assert.deepEqual(
    unknownFieldErrors(
      { spec: { template: { spec: { containers: [{ name: 'a', zz: 1 }] } }, b: 1, a: 1 } },
      deployment,
    ),
    [
      'unknown field "spec.a"',
      'unknown field "spec.b"',
      'unknown field "spec.template.spec.containers[0].zz"',
    ],
  );
});

test('fieldValidation: Warn when absent; an unsupported value is 422 on the options kind', () => {
  assert.equal(fieldValidationOf(new URLSearchParams(''), 'create'), 'Warn');
  assert.equal(fieldValidationOf(new URLSearchParams('fieldValidation=Strict'), 'patch'), 'Strict');
  assert.throws(
    () => fieldValidationOf(new URLSearchParams('fieldValidation=strict'), 'update'),
    (err: unknown) =>
      err instanceof StatusError &&
      err.code === 422 &&
      err.message ===
        'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
  );
});

test('unknown fields are pruned from the stored object, in lists and maps too', () => {
  const obj = {
    spec: { foo: 1, replicas: 1, template: { spec: { containers: [{ name: 'a', zz: 1 }] } } },
    metadata: { labels: { a: 'b' } },
  };
  pruneUnknownFields(obj, deployment);
  assert.deepEqual(obj, {
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }] } } },
    metadata: { labels: { a: 'b' } },
  });
});
