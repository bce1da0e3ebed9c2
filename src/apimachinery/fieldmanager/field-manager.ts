/**
 * Field ownership on writes, as kube-apiserver's field manager keeps it:
 *
 * - Update (create, update, non-apply patch, subresources): the fields the write changed move to the
 *   writer's Update entry, leaving every other manager; removed fields leave everyone.
 * - Apply: the configuration is merged into the live object; fields another manager owns whose value
 *   the apply would change are conflicts (unless forced, which takes them over; equal values are
 *   shared). The applier then owns exactly what it applied, and fields it applied last time and no
 *   longer does are removed from the object unless someone else owns them.
 *
 * Server-owned metadata (name, uid, resourceVersion, ...) is never owned by anyone.
 */
import * as E from '../errors.js';
import { isJsonObject } from '../json.js';
import type { JsonObject } from '../json.js';
import type { SmpSchema } from '../patch/smp-schema.js';
import { mergeApplied, removeFields } from './apply-merge.js';
import { FieldSet } from './field-set.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  identifierOf,
  isResetRequest,
  ManagedFieldsError,
} from './managed-fields.js';
import type { ManagedFieldsEntry, ManagerFields, Managers } from './managed-fields.js';
import { compareObjects, fieldSetOf } from './object-fields.js';
import { pathString } from './path.js';
import type { Path } from './path.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** kubectl's own server-side apply manager, whose applies keep the client-side annotation in step. */
const KUBECTL_APPLY_MANAGER = 'kubectl';
/** More Update entries than this are folded, oldest first, into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;

const STRIPPED: Path[] = [
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f): Path => [{ field: 'metadata' }, { field: f }]),
];
const strippedSet = FieldSet.of(STRIPPED);

export interface WriteIdentity {
  manager: string;
  /** The resource's group/version (`apps/v1`); subresource writes are recorded in it too. */
  apiVersion: string;
  subresource?: string;
  schema: SmpSchema | undefined;
  /** RFC 3339 time of the write. */
  time: string;
}

const withoutManagedFields = (obj: JsonObject): JsonObject => {
  const meta = obj['metadata'];
  if (!isJsonObject(meta) || !('managedFields' in meta)) return obj;
  const { managedFields: _drop, ...rest } = meta;
  return { ...obj, metadata: rest };
};

const decodeOrEmpty = (entries: unknown): Managers => {
  try {
    return decodeManagedFields(entries);
  } catch (err) {
    if (err instanceof ManagedFieldsError) return new Map();
    throw err;
  }
};

/** The managers to start from: the request's own managedFields when it sent usable ones, else the live object's. */
function startingManagers(
  live: JsonObject | undefined,
  requested: unknown,
  isSubresource: boolean,
): Managers {
  const liveEntries = (live?.['metadata'] as JsonObject | undefined)?.['managedFields'];
  if (isSubresource) return decodeOrEmpty(liveEntries);
  if (isResetRequest(requested)) return new Map();
  try {
    const fromRequest = decodeManagedFields(requested);
    if (fromRequest.size > 0) return fromRequest;
  } catch (err) {
    if (!(err instanceof ManagedFieldsError)) throw err;
  }
  return decodeOrEmpty(liveEntries);
}

/** What an object looks like before it is created: kube compares against its empty Go struct. */
const EMPTY_OBJECT: JsonObject = { metadata: {}, spec: {}, status: {} };

/**
 * The managedFields of `next`, written by an Update-style operation over `live` (undefined on create).
 * `requested` is the managedFields the client sent in its body, if any.
 */
export function managedFieldsForUpdate(
  live: JsonObject | undefined,
  next: JsonObject,
  requested: unknown,
  who: WriteIdentity,
): ManagedFieldsEntry[] {
  const managers = startingManagers(live, requested, Boolean(who.subresource));
  const diff = compareObjects(
    withoutManagedFields(live ?? EMPTY_OBJECT),
    withoutManagedFields(next),
    who.schema,
  );
  const changed = diff.modified.union(diff.added);
  for (const [id, m] of managers) {
    const fields = m.fields.difference(changed).difference(diff.removed);
    if (fields.isEmpty()) managers.delete(id);
    else managers.set(id, { ...m, fields });
  }
  const taken = changed.difference(strippedSet);
  if (!taken.isEmpty()) {
    const self: ManagerFields = {
      manager: who.manager,
      operation: 'Update',
      apiVersion: who.apiVersion,
      time: who.time,
      fields: taken,
      ...(who.subresource ? { subresource: who.subresource } : {}),
    };
    const id = identifierOf(self);
    const previous = managers.get(id);
    managers.set(id, previous ? { ...self, fields: taken.union(previous.fields) } : self);
  }
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

function capUpdateManagers(managers: Managers): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  const secs = (m: ManagerFields) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  updaters.sort(([ia, a], [ib, b]) => secs(a) - secs(b) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  let count = updaters.length;
  const firstOfVersion = new Map<string, string>();
  for (const [id, m] of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    const bucketId = identifierOf({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: m.apiVersion,
    });
    let bucket = managers.get(bucketId);
    if (!bucket) {
      bucket = { ...managers.get(first)!, manager: 'ancient-changes' };
      delete bucket.subresource;
      managers.delete(first);
    }
    managers.set(bucketId, {
      ...bucket,
      fields: bucket.fields.union(m.fields),
      ...(m.time ? { time: m.time } : {}),
    });
    managers.delete(id);
    count--;
  }
}

export interface Conflict {
  managerId: string;
  manager: ManagerFields;
  path: Path;
}

/** How kube names a manager in conflict messages. */
function describeManager(m: ManagerFields): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** 409 Conflict with kube's message and one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Conflict[]): E.StatusError {
  const sorted = [...conflicts].sort((a, b) =>
    a.managerId !== b.managerId ? (a.managerId < b.managerId ? -1 : 1) : 0,
  );
  let message: string;
  if (sorted.length === 1) {
    const c = sorted[0]!;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathString(c.path)}`;
  } else {
    const lines: string[] = [];
    let current: string | undefined;
    for (const c of sorted) {
      if (c.managerId !== current) {
        current = c.managerId;
        lines.push(`conflicts with ${describeManager(c.manager)}:`);
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new E.StatusError(409, 'Conflict', message, {
    causes: sorted.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${describeManager(c.manager)}`,
      field: pathString(c.path),
    })),
  });
}

export interface ApplyRequest extends WriteIdentity {
  force: boolean;
  /** Which part of the object this endpoint writes: the main resource leaves status alone, /status only writes status. */
  target: 'main' | 'status';
  /** Whether the kind has a status subresource (then the main resource does not own status). */
  hasStatus: boolean;
}

export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

/** The part of a field set an endpoint may own: status through /status, everything else through the main resource. */
function ownable(set: FieldSet, req: ApplyRequest): FieldSet {
  const status = FieldSet.of([[{ field: 'status' }]]);
  if (req.target === 'status') {
    const sub = set.child({ field: 'status' });
    const out = new FieldSet();
    for (const p of sub?.paths() ?? []) out.insert([{ field: 'status' }, ...p]);
    if (set.has([{ field: 'status' }])) out.insert([{ field: 'status' }]);
    return out;
  }
  return req.hasStatus ? set.recursiveDifference(status) : set;
}

/** Fields whose client-side-applied values are still live: a first server-side apply by kubectl may take them. */
function allowedFromLastApplied(live: JsonObject, schema: SmpSchema | undefined): FieldSet | undefined {
  const text = ((live['metadata'] as JsonObject | undefined)?.['annotations'] as JsonObject | undefined)?.[
    LAST_APPLIED_ANNOTATION
  ];
  if (typeof text !== 'string') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(last as JsonObject)) return undefined;
  const lastObj = last as JsonObject;
  try {
    const unchanged = compareObjects(lastObj, withoutManagedFields(live), schema);
    return fieldSetOf(lastObj, schema).difference(unchanged.modified);
  } catch {
    return undefined;
  }
}

/**
 * Server-side apply of `config` over `live` (undefined: the object does not exist yet). Throws a 409
 * Conflict when another manager owns a field the configuration would change and `force` is off.
 */
export function applyConfiguration(
  live: JsonObject | undefined,
  config: JsonObject,
  req: ApplyRequest,
): ApplyResult {
  const configMeta = config['metadata'];
  if (
    isJsonObject(configMeta) &&
    configMeta['managedFields'] !== undefined &&
    configMeta['managedFields'] !== null
  )
    throw E.badRequest('metadata.managedFields must be nil');
  if (config['apiVersion'] !== req.apiVersion)
    throw E.badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${typeof config['apiVersion'] === 'string' ? config['apiVersion'] : ''}, expected: ${req.apiVersion}`,
    );
  let managers: Managers;
  try {
    managers = decodeManagedFields((live?.['metadata'] as JsonObject | undefined)?.['managedFields']);
  } catch (err) {
    throw E.internalError(`failed to decode managed fields: ${(err as Error).message}`);
  }
  const base = live ? withoutManagedFields(live) : {};
  const cleanConfig = withoutManagedFields(config);
  const applied = ownable(fieldSetOf(cleanConfig, req.schema), req).difference(strippedSet);
  let merged = mergeApplied(base, cleanConfig, req.schema);
  const diff = compareObjects(base, merged, req.schema);
  const changed = ownable(diff.modified.union(diff.added), req);

  const self: ManagerFields = {
    manager: req.manager,
    operation: 'Apply',
    apiVersion: req.apiVersion,
    time: req.time,
    fields: applied,
    ...(req.subresource ? { subresource: req.subresource } : {}),
  };
  const selfId = identifierOf(self);
  const conflicts: Conflict[] = [];
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    for (const path of m.fields.intersection(changed).paths())
      conflicts.push({ managerId: id, manager: m, path });
  }
  if (conflicts.length && !req.force) {
    const allowed =
      req.manager === KUBECTL_APPLY_MANAGER && live ? allowedFromLastApplied(live, req.schema) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (remaining.length) throw conflictError(remaining);
  }
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const fields = m.fields.difference(changed).difference(diff.removed);
    if (fields.isEmpty()) managers.delete(id);
    else managers.set(id, { ...m, fields });
  }
  const last = managers.get(selfId);
  if (last && last.fields.equals(applied) && JSON.stringify(merged) === JSON.stringify(base) && last.time)
    self.time = last.time; // a no-op apply leaves the entry as it was
  managers.set(selfId, self);

  if (last) {
    let owned = new FieldSet();
    for (const m of managers.values()) owned = owned.union(m.fields);
    const dropped = last.fields.difference(owned).paths();
    if (dropped.length) {
      merged = structuredClone(merged);
      removeFields(merged, dropped, owned, req.schema);
    }
  }
  if (req.manager === KUBECTL_APPLY_MANAGER) syncLastApplied(merged, cleanConfig);
  return { object: merged, managedFields: encodeManagedFields(managers) };
}

/** kubectl's server-side applies keep an existing client-side apply annotation describing what was applied. */
function syncLastApplied(obj: JsonObject, config: JsonObject): void {
  const meta = obj['metadata'];
  if (!isJsonObject(meta)) return;
  const annotations = meta['annotations'];
  if (!isJsonObject(annotations) || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string') return;
  const copy = structuredClone(config);
  const copyMeta = copy['metadata'];
  if (isJsonObject(copyMeta) && isJsonObject(copyMeta['annotations'])) {
    delete copyMeta['annotations'][LAST_APPLIED_ANNOTATION];
    if (Object.keys(copyMeta['annotations']).length === 0) delete copyMeta['annotations'];
  }
  annotations[LAST_APPLIED_ANNOTATION] = JSON.stringify(copy);
}
