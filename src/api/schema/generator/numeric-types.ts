/**
 * Integer or number, `int32`/`int64`, and `byte` for `[]byte`: the declaration files say only `number`
 * and `string`, so these come from k8ts' own protobuf field schema, which records each field's wire
 * type per API package.
 */
import { isMap, isRepeated } from '../../../apimachinery/protobuf/schema.js';
import type { ElementType, MessageDef } from '../../../apimachinery/protobuf/schema.js';
import { appsV1 } from '../../../apimachinery/protobuf/types/apps-v1.js';
import { authenticationV1 } from '../../../apimachinery/protobuf/types/authentication-v1.js';
import { authorizationV1 } from '../../../apimachinery/protobuf/types/authorization-v1.js';
import { autoscalingV1 } from '../../../apimachinery/protobuf/types/autoscaling-v1.js';
import { autoscalingV2 } from '../../../apimachinery/protobuf/types/autoscaling-v2.js';
import { batchV1 } from '../../../apimachinery/protobuf/types/batch-v1.js';
import { certificatesV1 } from '../../../apimachinery/protobuf/types/certificates-v1.js';
import { coordinationV1 } from '../../../apimachinery/protobuf/types/coordination-v1.js';
import { coreV1 } from '../../../apimachinery/protobuf/types/core-v1.js';
import { discoveryV1 } from '../../../apimachinery/protobuf/types/discovery-v1.js';
import { metaV1 } from '../../../apimachinery/protobuf/types/meta-v1.js';
import { networkingV1 } from '../../../apimachinery/protobuf/types/networking-v1.js';
import { policyV1 } from '../../../apimachinery/protobuf/types/policy-v1.js';
import { rbacV1 } from '../../../apimachinery/protobuf/types/rbac-v1.js';
import { schedulingV1 } from '../../../apimachinery/protobuf/types/scheduling-v1.js';
import type { SchemaNode } from '../types.js';

const PACKAGES: readonly [string, MessageDef[]][] = [
  ['io.k8s.apimachinery.pkg.apis.meta.v1', metaV1],
  ['io.k8s.api.core.v1', coreV1],
  ['io.k8s.api.apps.v1', appsV1],
  ['io.k8s.api.authentication.v1', authenticationV1],
  ['io.k8s.api.authorization.v1', authorizationV1],
  ['io.k8s.api.autoscaling.v1', autoscalingV1],
  ['io.k8s.api.autoscaling.v2', autoscalingV2],
  ['io.k8s.api.batch.v1', batchV1],
  ['io.k8s.api.certificates.v1', certificatesV1],
  ['io.k8s.api.coordination.v1', coordinationV1],
  ['io.k8s.api.discovery.v1', discoveryV1],
  ['io.k8s.api.networking.v1', networkingV1],
  ['io.k8s.api.policy.v1', policyV1],
  ['io.k8s.api.rbac.v1', rbacV1],
  ['io.k8s.api.scheduling.v1', schedulingV1],
];

/** Definition name → JSON field name → protobuf element type. */
function fieldTypes(): Map<string, Map<string, ElementType>> {
  const out = new Map<string, Map<string, ElementType>>();
  for (const [pkg, messages] of PACKAGES)
    for (const m of messages) {
      if (m.kind !== 'message') continue;
      // Messages two packages share a short name for carry their package (`autoscaling.v2.X`).
      const short = m.name.replace(/^[a-z0-9]+\.v\d+\w*\./, '');
      const fields = new Map<string, ElementType>();
      for (const f of m.fields)
        fields.set(f.json, isRepeated(f.type) ? f.type.repeated : isMap(f.type) ? f.type.mapValue : f.type);
      out.set(`${pkg}.${short}`, fields);
    }
  return out;
}

const NUMERIC: Readonly<Record<string, Pick<SchemaNode, 'type' | 'format'>>> = {
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  uint32: { type: 'integer', format: 'int32' },
  uint64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  float: { type: 'number', format: 'float' },
};

/** The scalar a property holds, through one level of array or map. */
function scalarOf(node: SchemaNode): SchemaNode {
  return node.items ?? node.additionalProperties ?? node;
}

/**
 * Sets integer/number and formats on every `number` property, and `byte` on `[]byte` strings, where the
 * protobuf schema knows the field. Returns the `number` properties it could not resolve; those stay
 * `number`, which is what a client may send anyway.
 */
export function applyNumericTypes(definitions: Map<string, SchemaNode>): string[] {
  const known = fieldTypes();
  const unresolved: string[] = [];
  for (const [name, def] of definitions) {
    // Beta versions of a type declare its fields with the GA version's Go types.
    const fields = known.get(name) ?? known.get(name.replace(/\.v\d+(alpha|beta)\d+\./, '.v1.'));
    for (const [key, prop] of Object.entries(def.properties ?? {})) {
      const scalar = scalarOf(prop);
      const wire = fields?.get(key);
      if (scalar.type === 'number') {
        const numeric = wire ? NUMERIC[wire] : undefined;
        if (numeric) Object.assign(scalar, numeric);
        else unresolved.push(`${name}.${key}`);
      } else if (scalar.type === 'string' && wire === 'bytes') scalar.format = 'byte';
    }
  }
  return unresolved;
}
