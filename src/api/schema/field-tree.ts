/**
 * A compact tree of the field names each built-in kind accepts, built once per kind from the schema
 * definitions, so that checking a request body for unknown fields is a walk over plain maps rather than
 * a resolution of schema references on every request.
 */
import { definitions } from './definitions.js';
import type { SchemaNode } from './types.js';

export type FieldNode =
  | { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, FieldNode> }
  | { readonly kind: 'list'; readonly items: FieldNode }
  | { readonly kind: 'map'; readonly values: FieldNode }
  /** Scalars, and free-form objects (RawExtension, FieldsV1, objects without declared properties). */
  | { readonly kind: 'any' };

const ANY: FieldNode = { kind: 'any' };

const byDefinition = new Map<string, FieldNode>();
let byKind: Map<string, string> | undefined;

function nodeOf(schema: SchemaNode): FieldNode {
  if (schema.ref) return definitionNode(schema.ref);
  if (schema.type === 'array' && schema.items) return { kind: 'list', items: nodeOf(schema.items) };
  if (schema.properties) {
    const fields = new Map<string, FieldNode>();
    const node: FieldNode = { kind: 'struct', fields };
    for (const [k, v] of Object.entries(schema.properties)) fields.set(k, nodeOf(v));
    return node;
  }
  if (schema.additionalProperties) return { kind: 'map', values: nodeOf(schema.additionalProperties) };
  return ANY;
}

function definitionNode(name: string): FieldNode {
  const cached = byDefinition.get(name);
  if (cached) return cached;
  const def = definitions().get(name);
  if (!def?.properties) {
    const node = def ? nodeOf(def) : ANY;
    byDefinition.set(name, node);
    return node;
  }
  // Registered before its fields are filled in, so recursive types (JSONSchemaProps) terminate.
  const fields = new Map<string, FieldNode>();
  const node: FieldNode = { kind: 'struct', fields };
  byDefinition.set(name, node);
  for (const [k, v] of Object.entries(def.properties)) fields.set(k, nodeOf(v));
  return node;
}

/** The definition name of a top-level kind (`apps/v1 Deployment` → `io.k8s.api.apps.v1.Deployment`). */
export function definitionForKind(group: string, version: string, kind: string): string | undefined {
  if (!byKind) {
    byKind = new Map();
    for (const [name, def] of definitions())
      for (const gvk of def.gvk ?? []) byKind.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }
  return byKind.get(`${group}/${version}/${kind}`);
}

/** The field tree of a kind, or undefined for a kind the definitions do not describe. */
export function fieldTreeFor(group: string, version: string, kind: string): FieldNode | undefined {
  const name = definitionForKind(group, version, kind);
  return name ? definitionNode(name) : undefined;
}
