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
  /** Fills in defaults, as Kubernetes' defaulting functions do. */
  defaults?(obj: KubeObject): void;
  /**
   * Adjusts an update before defaults and validation, given the stored object (kube's strategy
   * PrepareForUpdate: keep server-allocated values a client left out, drop values a type change frees).
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Field errors for a create (old undefined) or update. Name checks are done generically. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
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

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
