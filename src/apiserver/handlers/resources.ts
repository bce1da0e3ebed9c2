/**
 * The REST verbs on a resource: get, list, watch, create, update, patch, delete, deletecollection, and
 * the status and scale subresources. Every write goes authentication → authorization → admission →
 * validation → storage; this module is the last three.
 */
import { isDeepStrictEqual } from 'node:util';
import * as E from '../../apimachinery/errors.js';
import { selectorFromLabelSelector, selectorFromSet } from '../../apimachinery/labels/index.js';
import { now } from '../../apimachinery/meta.js';
import type { KubeObject, StoredObject } from '../../apimachinery/meta.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  parsePatchBody,
  smpSchemaFor,
} from '../../apimachinery/patch/index.js';
import { at } from '../../api/printing.js';
import { groupVersion } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { UserInfo } from '../authn/user.js';
import { chooseFormat } from '../http/negotiate.js';
import type { ResponseFormat } from '../http/negotiate.js';
import { decodeObject, mediaType, readBody, send } from '../http/io.js';
import type { ProtobufDecoder, Req, Res } from '../http/io.js';
import type { RequestInfo } from '../request-info.js';
import { validateObjectFields, validatePatchedFields } from '../validation/field-validation.js';
import type { ObjectStore } from '../registry/object-store.js';
import { APPLY_PATCH, checkNonApplyPatchOptions, serverSideApply, updateTracker } from './field-tracking.js';
import type { WriteOps } from './field-tracking.js';
import { withTxn } from '../registry/write-hooks.js';
import type { WriteHooksLookup } from '../registry/write-hooks.js';
import { prepareForCreate, prepareForUpdate } from './object-lifecycle.js';
import type { UpdateTarget } from './object-lifecycle.js';
import { buildFilter } from './selectors.js';
import { includeObjectOf, toTable } from './table.js';
import { serveWatch } from './watch.js';

export interface ResourceContext {
  req: Req;
  res: Res;
  url: URL;
  info: RequestInfo;
  def: ResourceDefinition;
  user: UserInfo;
  objects: ObjectStore;
  admission: AdmissionChain;
  protobuf?: ProtobufDecoder;
  /** Resolves when the server shuts down, so watches end. */
  shutdown: AbortSignal;
  /** Handlers of action subresources served elsewhere (pods/binding, pods/eviction, serviceaccounts/token). */
  actionSubresource?: (
    def: ResourceDefinition,
    subresource: string,
    verb: string,
  ) => ((ctx: ResourceContext) => Promise<void>) | undefined;
  /** Per-resource work around store writes (Service IP/port allocation). */
  hooks?: WriteHooksLookup;
}

const gr = (def: ResourceDefinition) => ({ group: def.group, resource: def.resource });

function format(ctx: ResourceContext): ResponseFormat {
  const f = chooseFormat(ctx.req.headers['accept']);
  if (!f)
    throw E.notAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  return f;
}

function namespaceOf(ctx: ResourceContext): string | undefined {
  return ctx.def.namespaced ? ctx.info.namespace || undefined : undefined;
}

function dryRun(ctx: ResourceContext): boolean {
  const values = ctx.url.searchParams.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw E.badRequest(`Invalid dry run value: ${v}`);
  return values.length > 0;
}

function respondObject(ctx: ResourceContext, code: number, obj: StoredObject): void {
  const f = format(ctx);
  if (f.kind === 'table') {
    const table = toTable(ctx.def, [obj], {
      version: f.version,
      include: includeObjectOf(ctx.url.searchParams),
      resourceVersion: obj.metadata.resourceVersion,
    });
    send(ctx.res, code, table, f.contentType);
    return;
  }
  send(ctx.res, code, obj, f.contentType);
}

async function readObjectBody(ctx: ResourceContext): Promise<KubeObject> {
  const body = await readBody(ctx.req);
  if (body.length === 0) throw E.badRequest('the body of the request was empty');
  const obj = decodeObject(body, mediaType(ctx.req), ctx.protobuf);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw E.badRequest('the body of the request must be a JSON object');
  validateObjectFields(ctx, body, obj as KubeObject);
  return obj as KubeObject;
}

export async function handleResource(ctx: ResourceContext): Promise<void> {
  const { info, def } = ctx;
  const verbs = def.verbs ?? [
    'create',
    'delete',
    'deletecollection',
    'get',
    'list',
    'patch',
    'update',
    'watch',
  ];
  if (info.subresource) return handleSubresource(ctx);
  if (!verbs.includes(info.verb)) throw E.methodNotAllowed(info.verb, gr(def));
  switch (info.verb) {
    case 'get':
      return respondObject(ctx, 200, await ctx.objects.get(def, namespaceOf(ctx), info.name));
    case 'list':
      return list(ctx);
    case 'watch':
      return serveWatch(ctx);
    case 'create':
      return create(ctx);
    case 'update':
      return update(ctx, 'main');
    case 'patch':
      return patch(ctx, 'main');
    case 'delete':
      return remove(ctx);
    case 'deletecollection':
      return deleteCollection(ctx);
    default:
      throw E.methodNotAllowed(info.verb, gr(def));
  }
}

async function list(ctx: ResourceContext): Promise<void> {
  const q = ctx.url.searchParams;
  const f = format(ctx);
  const limit = Number(q.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0) throw E.badRequest(`invalid limit: ${q.get('limit')}`);
  const result = await ctx.objects.list(ctx.def, namespaceOf(ctx), {
    filter: buildFilter(ctx.def, q),
    limit,
    continueToken: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  if (f.kind === 'table') {
    send(
      ctx.res,
      200,
      toTable(ctx.def, result.items, {
        version: f.version,
        include: includeObjectOf(q),
        resourceVersion: result.resourceVersion,
        continueToken: result.continueToken,
      }),
      f.contentType,
    );
    return;
  }
  const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continueToken) metadata['continue'] = result.continueToken;
  send(
    ctx.res,
    200,
    { kind: `${ctx.def.kind}List`, apiVersion: groupVersion(ctx.def), metadata, items: result.items },
    f.contentType,
  );
}

async function create(ctx: ResourceContext): Promise<void> {
  const body = await readObjectBody(ctx);
  const obj = prepareForCreate(
    ctx.def,
    body,
    namespaceOf(ctx),
    updateTracker(ctx, 'CreateOptions'),
    ctx.user,
  );
  respondObject(ctx, 201, await commitCreate(ctx, obj));
}

/** Admits and stores a new object (a dry run answers with it unstored). */
async function commitCreate(ctx: ResourceContext, obj: StoredObject): Promise<StoredObject> {
  await ctx.admission.admit({
    operation: 'CREATE',
    def: ctx.def,
    object: obj,
    user: ctx.user,
    objects: ctx.objects,
    dryRun: dryRun(ctx),
  });
  // write hooks: allocations (Service IPs/ports) are taken here and given back if the write fails
  const txn = await ctx.hooks?.(ctx.def)?.beginCreate?.(obj, dryRun(ctx));
  if (dryRun(ctx)) {
    await txn?.revert();
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
  }
  return withTxn(txn, () => ctx.objects.create(ctx.def, obj));
}

/** Removes an object from the store, then runs the resource's after-delete hook (releasing allocations). */
async function deleteStored(ctx: ResourceContext, obj: StoredObject): Promise<StoredObject> {
  const gone = await ctx.objects.delete(ctx.def, obj);
  await ctx.hooks?.(ctx.def)?.afterDelete?.(obj);
  return gone;
}

const writeOps: WriteOps = { commitCreate, commitUpdate, respond: respondObject, namespace: namespaceOf };

/** Stores an update; an object being deleted whose last finalizer is gone is removed instead. */
async function commitUpdate(
  ctx: ResourceContext,
  next: StoredObject,
  old: StoredObject,
): Promise<StoredObject> {
  await ctx.admission.admit({
    operation: 'UPDATE',
    def: ctx.def,
    object: next,
    oldObject: old,
    user: ctx.user,
    objects: ctx.objects,
  });
  if (dryRun(ctx)) {
    // write hooks: a dry run sees the allocated fields without keeping them
    await (await ctx.hooks?.(ctx.def)?.beginUpdate?.(next, old, true))?.revert();
    return next;
  }
  // Like kube-apiserver's storage, an update that changes nothing is not written: no new resourceVersion
  // (a stale resourceVersion still gets its 409 from the store).
  if (
    (next.metadata.resourceVersion ?? old.metadata.resourceVersion) === old.metadata.resourceVersion &&
    isDeepStrictEqual(
      { ...next, metadata: { ...next.metadata, resourceVersion: undefined } },
      { ...old, metadata: { ...old.metadata, resourceVersion: undefined } },
    )
  )
    return old;
  if (
    next.metadata.deletionTimestamp &&
    !(next.metadata.finalizers ?? []).length &&
    !isGracefulPod(ctx.def, next) &&
    !holdsNamespaceFinalizers(ctx.def, next)
  ) {
    return deleteStored(ctx, {
      ...next,
      metadata: { ...next.metadata, resourceVersion: old.metadata.resourceVersion },
    });
  }
  // write hooks: allocations for the new state; what the old state held is released on success
  const txn = await ctx.hooks?.(ctx.def)?.beginUpdate?.(next, old, false);
  return withTxn(txn, () =>
    ctx.objects.update(ctx.def, next, Number(next.metadata.resourceVersion ?? old.metadata.resourceVersion)),
  );
}

async function update(ctx: ResourceContext, target: UpdateTarget): Promise<void> {
  const body = await readObjectBody(ctx);
  const old = await ctx.objects.get(ctx.def, namespaceOf(ctx), ctx.info.name);
  const fields = updateTracker(ctx, 'UpdateOptions', target === 'status' ? 'status' : undefined);
  const next = prepareForUpdate(ctx.def, body, old, target, fields);
  respondObject(ctx, 200, await commitUpdate(ctx, next, old));
}

function applyPatch(
  ctx: ResourceContext,
  type: string,
  current: StoredObject,
  patchBody: Buffer,
): KubeObject {
  const parsed = parsePatchBody(patchBody.toString('utf8'));
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, parsed) as KubeObject;
    case 'application/merge-patch+json':
      return applyMergePatch(current, parsed) as KubeObject;
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(
        current,
        parsed,
        smpSchemaFor(ctx.def.group, ctx.def.version, ctx.def.kind),
      );
    default:
      throw E.unsupportedMediaType();
  }
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  APPLY_PATCH,
];

async function patch(ctx: ResourceContext, target: UpdateTarget): Promise<void> {
  const type = mediaType(ctx.req);
  if (!PATCH_TYPES.includes(type))
    throw new E.StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
    );
  if (type === APPLY_PATCH) return serverSideApply(ctx, target, writeOps);
  checkNonApplyPatchOptions(ctx);
  const fields = updateTracker(ctx, 'PatchOptions', target === 'status' ? 'status' : undefined);
  const body = await readBody(ctx.req);
  for (let attempt = 0; ; attempt++) {
    const old = await ctx.objects.get(ctx.def, namespaceOf(ctx), ctx.info.name);
    const patched = applyPatch(ctx, type, structuredClone(old), body);
    validatePatchedFields(ctx, type, body, patched);
    // A patch that names a resourceVersion is a precondition; one that does not is retried on conflict.
    const pinned = patched.metadata?.resourceVersion !== old.metadata.resourceVersion;
    const next = prepareForUpdate(ctx.def, patched, old, target, fields);
    try {
      respondObject(ctx, 200, await commitUpdate(ctx, next, old));
      return;
    } catch (err) {
      if (!pinned && E.isStatusError(err, 'Conflict') && attempt < 8) continue;
      throw err;
    }
  }
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

async function deleteOptions(ctx: ResourceContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  const opts: DeleteOptions = body.length
    ? ((decodeObject(body, mediaType(ctx.req), ctx.protobuf) as DeleteOptions) ?? {})
    : {};
  const q = ctx.url.searchParams;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy))
    throw E.invalid({ group: 'meta.k8s.io', resource: 'deleteoptions', kind: 'DeleteOptions' }, '', [
      {
        type: 'FieldValueNotSupported',
        field: 'propagationPolicy',
        detail: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      },
    ]);
  return opts;
}

/** Pods on a node are deleted gracefully: marked, then removed by the kubelet once the containers stop. */
/** A terminating namespace stays until its spec.finalizers are cleared through /finalize. */
function holdsNamespaceFinalizers(def: ResourceDefinition, obj: StoredObject): boolean {
  return (
    def.kind === 'Namespace' &&
    def.group === '' &&
    ((at(obj, 'spec.finalizers') as unknown[] | undefined)?.length ?? 0) > 0
  );
}

function isGracefulPod(def: ResourceDefinition, obj: StoredObject): boolean {
  if (def.kind !== 'Pod' || def.group !== '') return false;
  const phase = at(obj, 'status.phase');
  return (
    Boolean(at(obj, 'spec.nodeName')) &&
    phase !== 'Succeeded' &&
    phase !== 'Failed' &&
    (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0
  );
}

const ORPHAN_FINALIZER = 'orphan';
const FOREGROUND_FINALIZER = 'foregroundDeletion';

/**
 * Kinds whose dependents are orphaned when a delete names no policy, as before server-side garbage
 * collection: core/v1 ReplicationControllers and the legacy extensions and apps beta versions.
 */
function orphansByDefault(def: ResourceDefinition): boolean {
  if (def.group === '' && def.kind === 'ReplicationController') return true;
  return def.group === 'extensions' || (def.group === 'apps' && def.version !== 'v1');
}

/**
 * The finalizers of an object being deleted, as kube-apiserver sets them for the garbage collector:
 * an explicit policy (or orphanDependents) decides between `orphan` and `foregroundDeletion`, replacing
 * whichever an earlier delete set; without one, an earlier choice stands, else the kind's default.
 */
function garbageCollectionFinalizers(
  def: ResourceDefinition,
  existing: string[],
  opts: DeleteOptions,
): string[] {
  const had = (f: string) => existing.includes(f);
  let orphan: boolean;
  let foreground = false;
  if (opts.orphanDependents !== undefined) orphan = opts.orphanDependents;
  else if (opts.propagationPolicy) {
    orphan = opts.propagationPolicy === 'Orphan';
    foreground = opts.propagationPolicy === 'Foreground';
  } else if (had(ORPHAN_FINALIZER) || had(FOREGROUND_FINALIZER)) {
    foreground = had(FOREGROUND_FINALIZER);
    orphan = !foreground;
  } else orphan = orphansByDefault(def);
  const out = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) out.push(ORPHAN_FINALIZER);
  if (foreground) out.push(FOREGROUND_FINALIZER);
  return out;
}

export async function deleteOne(
  ctx: ResourceContext,
  current: StoredObject,
  opts: DeleteOptions,
): Promise<{ object: StoredObject; gone: boolean }> {
  const def = ctx.def;
  const pre = opts.preconditions ?? {};
  if (pre.uid && pre.uid !== current.metadata.uid)
    throw E.conflict(
      gr(def),
      current.metadata.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
    );
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
    throw E.conflict(
      gr(def),
      current.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  await ctx.admission.admit({
    operation: 'DELETE',
    def,
    object: current,
    oldObject: current,
    user: ctx.user,
    objects: ctx.objects,
  });

  const next = structuredClone(current);
  const meta = next.metadata;
  const finalizers = garbageCollectionFinalizers(def, meta.finalizers ?? [], opts);
  let grace = 0;
  if (def.kind === 'Pod' && def.group === '') {
    grace = opts.gracePeriodSeconds ?? Number(at(current, 'spec.terminationGracePeriodSeconds') ?? 30);
    const phase = at(current, 'status.phase');
    if (!at(current, 'spec.nodeName') || phase === 'Succeeded' || phase === 'Failed') grace = 0;
  }
  const isNamespace = def.kind === 'Namespace' && def.group === '';
  const mustWait =
    finalizers.length > 0 ||
    grace > 0 ||
    (isNamespace && ((at(current, 'spec.finalizers') as unknown[] | undefined)?.length ?? 0) > 0);
  if (!mustWait) {
    if (dryRun(ctx)) return { object: current, gone: true };
    return { object: await deleteStored(ctx, current), gone: true };
  }
  if (!meta.deletionTimestamp) meta.deletionTimestamp = now();
  if (grace > 0) meta.deletionGracePeriodSeconds = Math.min(meta.deletionGracePeriodSeconds ?? grace, grace);
  else if (meta.deletionGracePeriodSeconds === undefined) meta.deletionGracePeriodSeconds = 0;
  meta.finalizers = finalizers;
  if (!meta.finalizers.length) delete meta.finalizers;
  if (isNamespace)
    (next['status'] as Record<string, unknown>) = {
      ...(next['status'] as Record<string, unknown>),
      phase: 'Terminating',
    };
  if (dryRun(ctx)) return { object: next, gone: false };
  if (def.kind === 'Pod' && grace === 0 && !meta.finalizers)
    return { object: await deleteStored(ctx, current), gone: true };
  return {
    object: await ctx.objects.update(def, next, Number(current.metadata.resourceVersion)),
    gone: false,
  };
}

function deletedStatus(def: ResourceDefinition, obj: StoredObject): Record<string, unknown> {
  const details: Record<string, unknown> = {
    name: obj.metadata.name,
    kind: def.resource,
    uid: obj.metadata.uid,
  };
  if (def.group) details['group'] = def.group;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

async function remove(ctx: ResourceContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.objects.get(ctx.def, namespaceOf(ctx), ctx.info.name);
    try {
      const { object, gone } = await deleteOne(ctx, current, opts);
      // Graceful and finalizer-blocked deletions answer with the object; immediate ones with a Status,
      // except pods, whose deleted object is returned as kube-apiserver does.
      if (gone && !(ctx.def.kind === 'Pod' && ctx.def.group === ''))
        send(ctx.res, 200, deletedStatus(ctx.def, object));
      else respondObject(ctx, 200, object);
      return;
    } catch (err) {
      if (
        E.isStatusError(err, 'Conflict') &&
        !opts.preconditions?.resourceVersion &&
        attempt < 8 &&
        !err.message.includes('Precondition')
      )
        continue;
      throw err;
    }
  }
}

async function deleteCollection(ctx: ResourceContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const q = ctx.url.searchParams;
  const result = await ctx.objects.list(ctx.def, namespaceOf(ctx), { filter: buildFilter(ctx.def, q) });
  const deleted: StoredObject[] = [];
  for (const obj of result.items) {
    try {
      deleted.push((await deleteOne(ctx, obj, opts)).object);
    } catch (err) {
      if (!E.isStatusError(err, 'NotFound')) throw err;
    }
  }
  send(ctx.res, 200, {
    kind: `${ctx.def.kind}List`,
    apiVersion: groupVersion(ctx.def),
    metadata: { resourceVersion: await ctx.objects.currentResourceVersion() },
    items: deleted,
  });
}

// ---- subresources ----

async function handleSubresource(ctx: ResourceContext): Promise<void> {
  const { info, def } = ctx;
  const sub = def.subresources?.find((s) => s.name === info.subresource);
  // /status, and subresources that write the status half the same way (a CSR's /approval).
  const target = info.subresource === 'status' && def.status ? 'status' : sub?.target;
  if (target) {
    if (info.verb === 'get')
      return respondObject(ctx, 200, await ctx.objects.get(def, namespaceOf(ctx), info.name));
    if (info.verb === 'update') return update(ctx, target);
    if (info.verb === 'patch') return patch(ctx, target);
    throw E.methodNotAllowed(info.verb, gr(def));
  }
  if (info.subresource === 'scale' && def.scale) return handleScale(ctx);
  if (!sub)
    throw E.notFound({ group: def.group, resource: `${def.resource}/${info.subresource}` }, info.name);
  const action = ctx.actionSubresource?.(def, sub.name, info.verb);
  if (action) return action(ctx);
  if (def.kind === 'Namespace' && info.subresource === 'finalize' && info.verb === 'update')
    return finalizeNamespace(ctx);
  throw E.serviceUnavailable(`${def.resource}/${info.subresource} is not available on this server yet`);
}

/** PUT /namespaces/{name}/finalize: sets spec.finalizers; a terminating namespace with none left is removed. */
async function finalizeNamespace(ctx: ResourceContext): Promise<void> {
  const body = await readObjectBody(ctx);
  const old = await ctx.objects.get(ctx.def, undefined, ctx.info.name);
  const next = structuredClone(old);
  next['spec'] = {
    ...(next['spec'] as Record<string, unknown>),
    finalizers: (at(body, 'spec.finalizers') as string[] | undefined) ?? [],
  };
  const left = (at(next, 'spec.finalizers') as string[]).length + (next.metadata.finalizers?.length ?? 0);
  if (next.metadata.deletionTimestamp && left === 0) {
    respondObject(ctx, 200, await deleteStored(ctx, old));
    return;
  }
  respondObject(ctx, 200, await ctx.objects.update(ctx.def, next, Number(old.metadata.resourceVersion)));
}

function toScale(def: ResourceDefinition, obj: StoredObject): StoredObject {
  const scale = def.scale!;
  const selector = scale.labelSelectorPath ? at(obj, scale.labelSelectorPath) : undefined;
  const specSelector = at(obj, 'spec.selector');
  const selectorText =
    typeof selector === 'string' ? selector : specSelector ? selectorToString(specSelector) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: Number(at(obj, scale.specReplicasPath) ?? 0) },
    status: {
      replicas: Number(at(obj, scale.statusReplicasPath) ?? 0),
      ...(selectorText ? { selector: selectorText } : {}),
    },
  };
}

/** The canonical selector text of a workload: metav1.LabelSelector, or a plain map (ReplicationController). */
function selectorToString(sel: unknown): string {
  const s = sel as Record<string, unknown>;
  const isLabelSelector = 'matchLabels' in s || 'matchExpressions' in s;
  return (
    isLabelSelector ? selectorFromLabelSelector(s) : selectorFromSet(s as Record<string, string>)
  ).toString();
}

async function handleScale(ctx: ResourceContext): Promise<void> {
  const { def, info } = ctx;
  const ns = namespaceOf(ctx);
  const scaleDef: ResourceDefinition = {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    resource: def.resource,
    singular: '',
    namespaced: def.namespaced,
  };
  const send200 = (o: StoredObject) =>
    send(
      ctx.res,
      200,
      toScale(def, o),
      format(ctx).contentType === 'application/yaml' ? 'application/yaml' : 'application/json',
    );
  if (info.verb === 'get') return send200(await ctx.objects.get(def, ns, info.name));
  if (info.verb !== 'update' && info.verb !== 'patch') throw E.methodNotAllowed(info.verb, gr(def));
  const fields = updateTracker(ctx, info.verb === 'update' ? 'UpdateOptions' : 'PatchOptions', 'scale');
  const body = await readBody(ctx.req);
  for (let attempt = 0; ; attempt++) {
    const old = await ctx.objects.get(def, ns, info.name);
    const current = toScale(def, old);
    let wanted: KubeObject;
    if (info.verb === 'update') {
      wanted = decodeObject(body, mediaType(ctx.req), ctx.protobuf) as KubeObject;
      const rv = wanted.metadata?.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) throw E.staleObject(gr(def), info.name);
    } else {
      wanted = applyPatch({ ...ctx, def: scaleDef }, mediaType(ctx.req), current, body);
    }
    const replicas = at(wanted, 'spec.replicas');
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
      throw E.invalid({ group: 'autoscaling', resource: 'scale', kind: 'Scale' }, info.name, [
        {
          type: 'FieldValueInvalid',
          field: 'spec.replicas',
          detail: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        },
      ]);
    const next = structuredClone(old);
    setAt(next, def.scale!.specReplicasPath, replicas);
    try {
      send200(await commitUpdate(ctx, prepareForUpdate(def, next, old, 'main', fields), old));
      return;
    } catch (err) {
      if (E.isStatusError(err, 'Conflict') && attempt < 8 && info.verb === 'patch') continue;
      throw err;
    }
  }
}

function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts.at(-1)!] = value;
}
