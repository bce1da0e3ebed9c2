/**
 * The schema model k8ts keeps for every built-in type: a neutral form of an OpenAPI schema. References
 * name another definition (`io.k8s.api.core.v1.PodSpec`); the OpenAPI v2 and v3 documents turn them into
 * `#/definitions/...` and `#/components/schemas/...` references each in its own way.
 */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SchemaNode {
  /** A reference to another definition by its full name. */
  ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
  /** Types a value may have in OpenAPI v3 (IntOrString, Quantity); v2 keeps `type` alone. */
  oneOfTypes?: string[];
  gvk?: GroupVersionKind[];
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

export interface DefinitionsFile {
  /** Where the definitions were read from, e.g. `kubernetes-models@4.5.1`. */
  source: string;
  definitions: Record<string, SchemaNode>;
}
