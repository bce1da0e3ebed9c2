/**
 * The strategy steps kube-apiserver's generic registry runs around storage: preparing an object for
 * create or update (server-owned metadata, generation, status/spec separation), defaulting and validation.
 */
import * as E from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/errors.js';
import { labelKeyErrors, labelValueErrors } from '../../apimachinery/labels/index.js';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  generateNameSuffix,
  invalidValue,
  now,
  pathSegmentNameErrors,
  required,
} from '../../apimachinery/meta.js';
import type { KubeObject, ObjectMeta, StoredObject } from '../../apimachinery/meta.js';
import type { ManagedFieldsEntry } from '../../apimachinery/fieldmanager/index.js';
import { groupVersion } from '../../api/types.js';
import type { Requester, ResourceDefinition, WriteTarget } from '../../api/types.js';
import { newUid } from '../registry/object-store.js';

/**
 * Records who wrote which fields: returns the managedFields of `next`, written over `old` (undefined on
 * create); `requested` is what the client sent as managedFields. See handlers/field-tracking.ts.
 */
export type FieldTracker = (
  old: StoredObject | undefined,
  next: KubeObject,
  requested: unknown,
) => ManagedFieldsEntry[] | undefined;

function recordFields(
  tracker: FieldTracker | undefined,
  old: StoredObject | undefined,
  next: KubeObject,
  requested: unknown,
): void {
  if (!tracker) return;
  const entries = tracker(old, next, requested);
  if (entries?.length) next.metadata!.managedFields = entries;
  else delete next.metadata!.managedFields;
}

const gr = (def: ResourceDefinition) => ({ group: def.group, resource: def.resource, kind: def.kind });

function nameErrors(def: ResourceDefinition, name: string): string[] {
  const rule = def.nameRule ?? 'subdomain';
  if (rule === 'label') return dns1123LabelErrors(name);
  if (rule === 'path') return pathSegmentNameErrors(name);
  return dns1123SubdomainErrors(name);
}

function validateMeta(def: ResourceDefinition, obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const meta = obj.metadata ?? {};
  if (!meta.name) {
    errs.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const e of nameErrors(def, meta.name)) errs.push(invalidValue('metadata.name', meta.name, e));
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    for (const e of labelKeyErrors(k)) errs.push(invalidValue('metadata.labels', k, e));
    if (typeof v !== 'string') errs.push(invalidValue('metadata.labels', v, 'label values must be strings'));
    else for (const e of labelValueErrors(v)) errs.push(invalidValue('metadata.labels', v, e));
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {}))
    if (typeof v !== 'string')
      errs.push(invalidValue(`metadata.annotations`, k, 'annotation values must be strings'));
  return errs;
}

/** Checks apiVersion/kind of a body against the URL, filling them in when the client left them out. */
export function checkTypeMeta(def: ResourceDefinition, obj: KubeObject): void {
  const gv = groupVersion(def);
  obj.apiVersion ??= gv;
  obj.kind ??= def.kind;
  if (obj.apiVersion !== gv || obj.kind !== def.kind)
    throw E.badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`,
    );
}

/** A new object: server-owned metadata set, client-set status dropped, defaults applied, validated. */
export function prepareForCreate(
  def: ResourceDefinition,
  body: KubeObject,
  namespace: string | undefined,
  fields?: FieldTracker,
  requester?: Requester,
): StoredObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw E.badRequest('the body of the request must be an object');
  checkTypeMeta(def, body);
  const meta = (body.metadata ??= {});
  if (def.namespaced) {
    if (meta.namespace && namespace && meta.namespace !== namespace)
      throw E.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    meta.namespace = namespace ?? meta.namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName)
    meta.name = `${meta.generateName.slice(0, MAX_GENERATED_PREFIX)}${generateNameSuffix()}`;
  meta.uid = newUid();
  meta.creationTimestamp = now();
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  // Status is the server's on create (a node registers with its own, as the kubelet does).
  const serverStatus = def.status && def.kind !== 'Node';
  if (serverStatus) delete body['status'];
  if (requester) def.prepareForCreate?.(body, requester);
  def.defaults?.(body);
  omitEmptyMetadata(meta);
  const errs = [...validateMeta(def, body), ...(def.validate?.(body) ?? [])];
  if (errs.length) throw E.invalid(gr(def), meta.name ?? '', errs);
  // Defaults may have set some of it (a pod's phase); like kube's main-resource strategies, which reset
  // status, it is not recorded under the writer's manager.
  const { status: _status, ...written } = body;
  recordFields(fields, undefined, serverStatus ? written : body, meta.managedFields);
  return body as StoredObject;
}

export type UpdateTarget = WriteTarget;

/** A generated name is at most 63 characters: the prefix is cut to leave room for the 5-character suffix. */
const MAX_GENERATED_PREFIX = 58;

/** Empty labels, annotations, finalizers and owner references are left out, as Go's `omitempty` leaves them. */
function omitEmptyMetadata(meta: ObjectMeta): void {
  for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const v = meta[f];
    if (v !== undefined && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0)) delete meta[f];
  }
}

/**
 * The object to store for an update of `old` to `body`: identity and server-owned metadata kept, the
 * half the request may not change (status for the main resource, everything but status for /status)
 * taken from `old`, generation bumped when the spec changed, then defaults and validation.
 */
export function prepareForUpdate(
  def: ResourceDefinition,
  body: KubeObject,
  old: StoredObject,
  target: UpdateTarget,
  fields?: FieldTracker,
): StoredObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw E.badRequest('the body of the request must be an object');
  checkTypeMeta(def, body);
  const meta = (body.metadata ??= {});
  if (meta.name !== undefined && meta.name !== old.metadata.name)
    throw E.badRequest(
      `the name of the object (${meta.name}) does not match the name on the URL (${old.metadata.name})`,
    );
  if (meta.uid !== undefined && meta.uid !== old.metadata.uid)
    throw E.conflict(
      gr(def),
      old.metadata.name,
      `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  let next: KubeObject;
  if (target !== 'main') {
    next = { ...structuredClone(old), status: body['status'] };
    statusWritableMetadata(def, meta, next.metadata!);
  } else {
    next = body;
    if (def.status) {
      if ('status' in old) next['status'] = structuredClone(old['status']);
      else delete next['status'];
    }
    // Labels, annotations, finalizers and owners may change; identity and server-owned fields may not.
    next.metadata = {
      ...meta,
      name: old.metadata.name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: old.metadata.generation,
      ...(old.metadata.namespace ? { namespace: old.metadata.namespace } : {}),
      ...(old.metadata.deletionTimestamp ? { deletionTimestamp: old.metadata.deletionTimestamp } : {}),
      ...(old.metadata.deletionGracePeriodSeconds !== undefined
        ? { deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds }
        : {}),
    };
    if (!def.namespaced) delete next.metadata.namespace;
  }
  next.metadata!.resourceVersion = meta.resourceVersion ?? old.metadata.resourceVersion;
  def.prepareForUpdate?.(next, old, target);
  def.defaults?.(next);
  omitEmptyMetadata(next.metadata!);
  if (target === 'main' && specChanged(def, old, next))
    next.metadata!.generation = (old.metadata.generation ?? 1) + 1;
  const errs = [...validateMeta(def, next), ...(def.validate?.(next, old, target) ?? [])];
  if (errs.length) throw E.invalid(gr(def), old.metadata.name, errs);
  recordFields(fields, old, next, meta.managedFields);
  return next as StoredObject;
}

/**
 * Metadata a write through /status may still change, as Kubernetes' status strategies allow: labels,
 * annotations, finalizers and owner references, except that the apps workloads keep their labels
 * and pods their owner references (their status strategies reset those).
 */
function statusWritableMetadata(def: ResourceDefinition, from: ObjectMeta, to: ObjectMeta): void {
  const appsWorkload = def.group === 'apps' && def.kind !== 'ControllerRevision';
  const pod = def.group === '' && def.kind === 'Pod';
  const fields: (keyof ObjectMeta)[] = ['annotations', 'finalizers'];
  if (!appsWorkload) fields.push('labels');
  if (!pod) fields.push('ownerReferences');
  for (const f of fields) {
    if (from[f] === undefined) delete to[f];
    else (to as Record<string, unknown>)[f] = structuredClone(from[f]);
  }
}

function specChanged(def: ResourceDefinition, old: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return def.generationOnAnyChange || !def.status
    ? strip(old) !== strip(next)
    : JSON.stringify(old['spec']) !== JSON.stringify(next['spec']);
}
