/**
 * managedFields on every write, and server-side apply (PATCH `application/apply-patch+yaml`): the
 * request side of apimachinery/fieldmanager — who the manager is, the options kube validates, and the
 * apply flow (merge, conflicts, create when missing, retries on a moved resourceVersion).
 */
import { parse as parseYaml } from 'yaml';
import * as E from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/errors.js';
import {
  applyConfiguration,
  fieldManagerErrors,
  managedFieldsForUpdate,
  managerFromUserAgent,
} from '../../apimachinery/fieldmanager/index.js';
import { isJsonObject } from '../../apimachinery/json.js';
import type { JsonObject } from '../../apimachinery/json.js';
import { now, required } from '../../apimachinery/meta.js';
import type { KubeObject, StoredObject } from '../../apimachinery/meta.js';
import { smpSchemaFor } from '../../apimachinery/patch/index.js';
import { groupVersion } from '../../api/types.js';
import { readBody } from '../http/io.js';
import { prepareForCreate, prepareForUpdate } from './object-lifecycle.js';
import { fieldTreeFor } from '../../api/schema/field-tree.js';
import { unknownFieldPaths } from '../validation/strict-fields.js';
import type { FieldTracker, UpdateTarget } from './object-lifecycle.js';
import type { ResourceContext } from './resources.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const optionsInvalid = (kind: OptionsKind, errs: FieldError[]) =>
  E.invalid({ group: 'meta.k8s.io', resource: kind.toLowerCase(), kind }, '', errs);

/** The manager a write is recorded under; a 422 on the request's options for a bad fieldManager. */
function managerOf(ctx: ResourceContext, kind: OptionsKind): string {
  const given = ctx.url.searchParams.get('fieldManager');
  if (given === null || given === '') return managerFromUserAgent(ctx.req.headers['user-agent']);
  const errs = fieldManagerErrors(given);
  if (errs.length) throw optionsInvalid(kind, errs);
  return given;
}

/** Records the fields a create, update or non-apply patch changes under the request's manager. */
export function updateTracker(ctx: ResourceContext, kind: OptionsKind, subresource?: string): FieldTracker {
  const manager = managerOf(ctx, kind);
  const def = ctx.def;
  const schema = smpSchemaFor(def.group, def.version, def.kind);
  return (old, next, requested) =>
    managedFieldsForUpdate(old as JsonObject | undefined, next as JsonObject, requested, {
      manager,
      apiVersion: groupVersion(def),
      schema,
      time: now(),
      ...(subresource ? { subresource } : {}),
    });
}

/** kube refuses `force` on patches other than apply. */
export function checkNonApplyPatchOptions(ctx: ResourceContext): void {
  if (ctx.url.searchParams.has('force'))
    throw optionsInvalid('PatchOptions', [
      {
        type: 'FieldValueForbidden',
        field: 'force',
        detail: 'Forbidden: may not be specified for non-apply patch',
      },
    ]);
}

/** How resources.ts stores and answers; passed in so the REST verbs keep one implementation of each. */
export interface WriteOps {
  commitCreate(ctx: ResourceContext, obj: StoredObject): Promise<StoredObject>;
  commitUpdate(ctx: ResourceContext, next: StoredObject, old: StoredObject): Promise<StoredObject>;
  respond(ctx: ResourceContext, code: number, obj: StoredObject): void;
  namespace(ctx: ResourceContext): string | undefined;
}

function decodeConfiguration(body: Buffer): JsonObject {
  if (body.length === 0) throw E.badRequest('the body of the request was empty');
  let parsed: unknown;
  try {
    parsed = parseYaml(body.toString('utf8')) as unknown;
  } catch (err) {
    throw E.badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (!isJsonObject(parsed as JsonObject))
    throw E.badRequest('error decoding YAML: the applied configuration must be an object');
  return parsed as JsonObject;
}

/**
 * An applied configuration is converted to the typed object before merging, so a field the type does
 * not declare fails the request whatever fieldValidation says, in structured-merge-diff's words.
 */
function rejectUndeclaredFields(def: ResourceContext['def'], config: JsonObject): void {
  const tree = fieldTreeFor(def.group, def.version, def.kind);
  if (!tree) return;
  const paths = unknownFieldPaths(config, tree).map((p) => `.${p}: field not declared in schema`);
  if (!paths.length) return;
  const gvk = `${def.group ? `${def.group}/` : '/'}${def.version}, Kind=${def.kind}`;
  const detail = paths.length === 1 ? paths[0]! : `errors:\n  ${paths.join('\n  ')}`;
  throw E.badRequest(`failed to create typed patch object (${gvk}): ${detail}`);
}

/** PATCH with `application/apply-patch+yaml` on the main resource or /status. */
export async function serverSideApply(
  ctx: ResourceContext,
  target: UpdateTarget,
  ops: WriteOps,
): Promise<void> {
  if (target === 'approval') throw E.unsupportedMediaType();
  const q = ctx.url.searchParams;
  const manager = q.get('fieldManager') ?? '';
  const errs = manager
    ? fieldManagerErrors(manager)
    : [required('fieldManager', 'is required for apply patch')];
  if (errs.length) throw optionsInvalid('PatchOptions', errs);
  const force = q.get('force') === 'true';
  const config = decodeConfiguration(await readBody(ctx.req));
  const def = ctx.def;
  rejectUndeclaredFields(def, config);
  const request = {
    manager,
    force,
    target,
    hasStatus: Boolean(def.status),
    apiVersion: groupVersion(def),
    schema: smpSchemaFor(def.group, def.version, def.kind),
    ...(target === 'status' ? { subresource: 'status' } : {}),
  };
  const pinned =
    isJsonObject(config['metadata'] ?? null) &&
    Boolean((config['metadata'] as JsonObject)['resourceVersion']);
  for (let attempt = 0; ; attempt++) {
    const live = await ctx.objects.get(def, ops.namespace(ctx), ctx.info.name).catch((err: unknown) => {
      if (E.isStatusError(err, 'NotFound') && target === 'main') return undefined;
      throw err;
    });
    const result = applyConfiguration(live as JsonObject | undefined, structuredClone(config), {
      ...request,
      time: now(),
    });
    const tracker: FieldTracker = () => result.managedFields;
    const obj = result.object as KubeObject;
    try {
      if (!live) {
        const name = obj.metadata?.name;
        if (name !== ctx.info.name)
          throw E.badRequest(
            `the name of the object (${name ?? ''}) does not match the name on the URL (${ctx.info.name})`,
          );
        ops.respond(
          ctx,
          201,
          await ops.commitCreate(ctx, prepareForCreate(def, obj, ops.namespace(ctx), tracker, ctx.user)),
        );
      } else {
        const next = prepareForUpdate(def, obj, live, target, tracker);
        ops.respond(ctx, 200, await ops.commitUpdate(ctx, next, live));
      }
      return;
    } catch (err) {
      const raced = E.isStatusError(err, 'Conflict') || E.isStatusError(err, 'AlreadyExists');
      if (raced && !pinned && attempt < 8 && !err.details?.causes?.length) continue;
      throw err;
    }
  }
}
