/**
 * What the API server needs to know about one resource: its identity (group, version, kind, plural),
 * discovery facts, and its strategy — defaults, validation, table columns, and field selectors.
 */
import type { FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/meta.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
}

/** A subresource other than status and scale (pods/log, pods/binding, serviceaccounts/token, ...). */
export interface SubresourceDefinition {
  name: string;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  /** Updates through this subresource write the object's status half, with this strategy (a CSR's /approval). */
  target?: WriteTarget;
}

/**
 * How a version that shares storage with another is converted: objects are stored in the storage
 * version's shape and converted on every read, write, list and watch (events.k8s.io/v1 Events are
 * core/v1 Events; autoscaling/v1 HPAs are stored as autoscaling/v2).
 */
export interface StorageConversion {
  /** The stored group, version and kind. */
  group: string;
  version: string;
  kind: string;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  /** The plural, lower case: `deployments`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Defaults to every verb. */
  verbs?: string[];
  /** A status subresource: status is written only through it, and spec only through the main resource. */
  status?: boolean;
  /** A scale subresource (autoscaling/v1 Scale) over these paths. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  subresources?: SubresourceDefinition[];
  /** Whether the object kind has no spec/status split (ConfigMap, Secret): every change bumps generation. */
  generationOnAnyChange?: boolean;
  /**
   * Not kept in the store: every request is answered by a handler of its own (access reviews,
   * TokenReview, ComponentStatus, the legacy `bindings`). `verbs` says which requests exist.
   */
  virtual?: boolean;
  /** Fills in defaults, as Kubernetes' defaulting functions do. */
  defaults?(obj: KubeObject): void;
  /**
   * Field errors for a create (old undefined) or update, where `target` says which endpoint wrote it.
   * Name checks are done generically.
   */
  validate?(obj: KubeObject, old?: KubeObject, target?: WriteTarget): FieldError[];
  /**
   * Adjusts an update before defaults and validation, given the stored object and the endpoint that
   * wrote it, as Kubernetes' per-subresource strategies (PrepareForUpdate) do: a Service keeps the
   * values the server allocated that a client left out; a CSR's /status keeps the approval
   * conditions and its /approval keeps the certificate.
   */
  prepareForUpdate?(next: KubeObject, old: KubeObject, target: WriteTarget): void;
  /**
   * Adjusts a new object before defaults and validation, given who creates it (Kubernetes'
   * PrepareForCreate): a CSR records its requester's name, uid, groups and extra.
   */
  prepareForCreate?(obj: KubeObject, requester: Requester): void;
  /** Name rule: DNS-1123 subdomain unless stated. */
  nameRule?: 'subdomain' | 'label' | 'path';
  /** Columns after NAME (and before AGE unless the row places age itself). */
  columns?: TableColumn[];
  /** Cells for `columns`, in order. */
  cells?(obj: KubeObject): unknown[];
  /** Field selector values beyond metadata.name and metadata.namespace. */
  selectableFields?: Record<string, (obj: KubeObject) => string>;
  /** Set when this version is stored as another one. */
  storedAs?: StorageConversion;
  /** Fields set by the server on create that a client cannot set (e.g. status). */
  clearOnCreate?: string[];
}

/** The authenticated user a request came from, as strategies see it. */
export interface Requester {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** The endpoint an update came through: the object itself, /status, or a CSR's /approval. */
export type WriteTarget = 'main' | 'status' | 'approval';

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
