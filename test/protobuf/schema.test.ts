/**
 * Sweeps the whole schema: every covered kind resolves, and every message decodes a body that sets each
 * of its fields, with each field arriving under its JSON name.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage } from '../../src/apimachinery/protobuf/decode.js';
import { coveredKinds, decodeKubernetesProtobuf } from '../../src/apimachinery/protobuf/index.js';
import { allMessages, lookupMessage } from '../../src/apimachinery/protobuf/registry.js';
import { isMap, isRepeated, type ElementType } from '../../src/apimachinery/protobuf/schema.js';
import { bool, bytes, cat, envelope, int32, int64, msg, str } from './encode.js';
import protobuf from 'protobufjs/minimal.js';

test('the kinds kubectl sends as protobuf are covered', () => {
  const covered = new Set(coveredKinds().map((k) => `${k.apiVersion} ${k.kind}`));
  const needed = [
    'v1 Namespace',
    'v1 ConfigMap',
    'v1 Secret',
    'v1 ServiceAccount',
    'v1 Service',
    'v1 Pod',
    'v1 ResourceQuota',
    'apps/v1 Deployment',
    'apps/v1 StatefulSet',
    'apps/v1 DaemonSet',
    'apps/v1 ReplicaSet',
    'batch/v1 Job',
    'batch/v1 CronJob',
    'rbac.authorization.k8s.io/v1 Role',
    'rbac.authorization.k8s.io/v1 RoleBinding',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'networking.k8s.io/v1 Ingress',
    'scheduling.k8s.io/v1 PriorityClass',
    'policy/v1 PodDisruptionBudget',
    'policy/v1 Eviction',
    'authorization.k8s.io/v1 SelfSubjectAccessReview',
    'authorization.k8s.io/v1 SelfSubjectRulesReview',
    'authentication.k8s.io/v1 SelfSubjectReview',
    'authentication.k8s.io/v1 TokenRequest',
    'certificates.k8s.io/v1 CertificateSigningRequest',
    'autoscaling/v1 Scale',
    'meta.k8s.io/v1 DeleteOptions',
  ];
  for (const k of needed) assert.ok(covered.has(k), k);
  for (const { apiVersion, kind } of coveredKinds()) {
    const { object } = decodeKubernetesProtobuf(envelope(apiVersion, kind, new Uint8Array(0)));
    assert.equal(object['kind'], kind);
    assert.equal(object['apiVersion'], apiVersion);
  }
});

/** One non-zero value of a type, as a field numbered `no`. */
function sample(no: number, t: ElementType): Uint8Array {
  switch (t) {
    case 'string':
      return str(no, 'x');
    case 'bytes':
      return bytes(no, Uint8Array.of(1));
    case 'bool':
      return bool(no, true);
    case 'int32':
    case 'uint32':
      return int32(no, 7);
    case 'int64':
    case 'uint64':
      return int64(no, 7);
    case 'double':
      return protobuf.Writer.create()
        .uint32((no << 3) | 1)
        .double(1.5)
        .finish();
    case 'float':
      return protobuf.Writer.create()
        .uint32((no << 3) | 5)
        .float(1.5)
        .finish();
    case 'Time':
    case 'MicroTime':
      return msg(no, int64(1, 1704164645));
    case 'Duration':
      return msg(no, int64(1, 1_000_000_000));
    case 'Quantity':
      return msg(no, str(1, '1'));
    case 'IntOrString':
      return msg(no, int64(1, 0), int32(2, 1));
    case 'RawExtension':
    case 'FieldsV1':
      return msg(no, bytes(1, Buffer.from('{}')));
    default:
      return msg(no);
  }
}

test('every message decodes every field under its JSON name', () => {
  let fields = 0;
  for (const def of allMessages()) {
    if (def.kind === 'list') {
      assert.deepEqual(decodeMessage(def.name, sample(1, def.item)), [decodeScalarSample(def.item)]);
      continue;
    }
    const body = cat(
      ...def.fields.map((f) => {
        const t = f.type;
        if (isMap(t)) return msg(f.no, str(1, 'k'), sample(2, t.mapValue));
        return sample(f.no, isRepeated(t) ? t.repeated : t);
      }),
    );
    const out = decodeMessage(def.name, body) as Record<string, unknown>;
    for (const f of def.fields) {
      fields++;
      if (f.inline) {
        assert.equal(lookupMessage(f.type as string)?.kind, 'message', `${def.name} inlines a message`);
        continue;
      }
      assert.ok(Object.hasOwn(out, f.json), `${def.name}.${f.json}`);
      const v = out[f.json];
      if (isRepeated(f.type))
        assert.ok(Array.isArray(v) && v.length === 1, `${def.name}.${f.json} is a list`);
      else if (isMap(f.type))
        assert.deepEqual(Object.keys(v as object), ['k'], `${def.name}.${f.json} is a map`);
      else assert.notEqual(v, null, `${def.name}.${f.json}`);
    }
  }
  assert.ok(fields > 1400, `${fields} fields swept`);
});

function decodeScalarSample(t: ElementType): unknown {
  return t === 'string' ? 'x' : 7;
}
