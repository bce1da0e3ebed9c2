/**
 * What a strategic merge patch needs to know about a type: the Go struct tags `patchStrategy` and
 * `patchMergeKey` of Kubernetes' API types, as a tree that follows the JSON shape of an object.
 * Anything the schema does not describe merges like JSON merge patch: maps merge, lists are replaced.
 */
export interface SmpSchema {
  /** Struct fields, by JSON name. */
  fields?: Readonly<Record<string, SmpSchema>>;
  /** For a map-typed field (Go `map[string]T`): the schema of every value. */
  values?: SmpSchema;
  /** For a list: the schema of its elements. */
  items?: SmpSchema;
  /**
   * `patchStrategy:"merge"`: a list of objects merges element by element on `mergeKey`, a list of
   * scalars is a set (union). `replace` (the default for lists) takes the patch's list as it is; on an
   * object it takes the patch's object instead of merging into it.
   */
  patchStrategy?: 'merge' | 'replace';
  /** `patchMergeKey`: the field that identifies elements of a merged list of objects. */
  mergeKey?: string;
  /**
   * `patchStrategy:"retainKeys"`: clients (kubectl apply) send `$retainKeys` for this object or for the
   * elements of this list. The server honours a `$retainKeys` directive wherever it finds one, so this
   * flag documents the type; it does not change how a patch is applied.
   */
  retainKeys?: boolean;
  /**
   * Server-side apply's `x-kubernetes-list-map-keys` when they are more than the patch merge key
   * (container ports: `containerPort` + `protocol`). Unset: the merge key alone.
   */
  listMapKeys?: readonly string[];
  /** Defaults of list map keys an element may leave out (`protocol: TCP`), as the OpenAPI schema declares. */
  keyDefaults?: Readonly<Record<string, string>>;
  /**
   * `x-kubernetes-map-type: atomic` / `+structType=atomic`: server-side apply owns and replaces the object
   * as a whole (LabelSelector, nodeSelector). Strategic merge patch ignores it.
   */
  atomic?: boolean;
}

/** The schema of field `key` of an object described by `schema`. */
export const fieldSchema = (schema: SmpSchema | undefined, key: string): SmpSchema | undefined =>
  schema?.fields?.[key] ?? schema?.values;
