/**
 * The OpenAPI documents of the API server, derived from the resource registry (paths and operations)
 * and the generated schema definitions (components): one OpenAPI v3 document per group-version, and
 * the single Swagger 2.0 document of /openapi/v2. Shaped as kube-apiserver shapes them: every
 * operation names its `x-kubernetes-action` and `x-kubernetes-group-version-kind`, the mutating ones
 * take `dryRun`, `fieldManager` and `fieldValidation` (and patch `force`).
 */
import { definitionForKind } from '../../api/schema/field-tree.js';
import { definitions } from '../../api/schema/definitions.js';
import type { SchemaNode } from '../../api/schema/types.js';
import type { ResourceRegistry } from '../../api/registry.js';
import { ALL_VERBS } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/types.js';

type Json = Record<string, unknown>;
type Version = 'v2' | 'v3';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** apimachinery types every group-version's operations use. */
const SHARED = [`${META}.DeleteOptions`, `${META}.Status`, `${META}.Patch`, `${META}.WatchEvent`];

const refTo = (v: Version, name: string) =>
  v === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}`;

/** A schema node in the document's dialect: v3 wraps a reference that has siblings in `allOf`. */
export function renderSchema(node: SchemaNode, v: Version): Json {
  const out: Json = {};
  const hasSiblings = Boolean(node.description ?? node.patchStrategy ?? node.listType);
  if (node.ref) {
    if (!hasSiblings) return { $ref: refTo(v, node.ref) };
    if (v === 'v3') out['allOf'] = [{ $ref: refTo(v, node.ref) }];
    else out['$ref'] = refTo(v, node.ref);
  }
  if (node.description) out['description'] = node.description;
  if (node.oneOfTypes && v === 'v3') out['oneOf'] = node.oneOfTypes.map((type) => ({ type }));
  else if (node.type) out['type'] = node.type;
  if (node.format) out['format'] = node.format;
  if (node.enum) out['enum'] = node.enum;
  if (node.required) out['required'] = node.required;
  if (node.properties)
    out['properties'] = Object.fromEntries(
      Object.entries(node.properties).map(([k, p]) => [k, renderSchema(p, v)]),
    );
  if (node.items) out['items'] = renderSchema(node.items, v);
  if (node.additionalProperties) out['additionalProperties'] = renderSchema(node.additionalProperties, v);
  if (node.gvk) out['x-kubernetes-group-version-kind'] = node.gvk;
  if (node.listType) out['x-kubernetes-list-type'] = node.listType;
  if (node.listMapKeys) out['x-kubernetes-list-map-keys'] = node.listMapKeys;
  if (node.patchMergeKey) out['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  if (node.patchStrategy) out['x-kubernetes-patch-strategy'] = node.patchStrategy;
  return out;
}

/** Every definition `roots` reference, directly or not, sorted by name. */
function closure(roots: Iterable<string>): string[] {
  const defs = definitions();
  const seen = new Set<string>();
  const visit = (node: SchemaNode | undefined): void => {
    if (!node) return;
    if (node.ref && !seen.has(node.ref) && defs.has(node.ref)) {
      seen.add(node.ref);
      visit(defs.get(node.ref));
    }
    for (const p of Object.values(node.properties ?? {})) visit(p);
    visit(node.items);
    visit(node.additionalProperties);
  };
  for (const r of roots) visit({ ref: r });
  return [...seen].sort();
}

// ---- operations ----

interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
}

const q = (name: string, type: Param['type'], description: string): Param => ({
  name,
  in: 'query',
  type,
  description,
});

const P = {
  pretty: q('pretty', 'string', "If 'true', the output is indented."),
  dryRun: q(
    'dryRun',
    'string',
    'When present (only the value All is allowed), the request is checked but not stored.',
  ),
  fieldManager: q(
    'fieldManager',
    'string',
    'The name of the actor making the change, recorded in managedFields.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'How unknown and duplicate fields in the body are treated: Ignore drops them, Warn (the default) drops them and answers with a warning per field, Strict refuses the request.',
  ),
  force: q('force', 'boolean', 'Apply requests only: take over fields other managers own.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds to wait before the object is deleted.'),
  propagationPolicy: q(
    'propagationPolicy',
    'string',
    'How dependents are collected: Orphan, Background or Foreground.',
  ),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Whether a watch may send BOOKMARK events.'),
  continue: q('continue', 'string', 'The token of the next page of a paginated list.'),
  fieldSelector: q('fieldSelector', 'string', 'Selects objects by field values.'),
  labelSelector: q('labelSelector', 'string', 'Selects objects by labels.'),
  limit: q('limit', 'integer', 'The most objects one page of a list returns.'),
  resourceVersion: q('resourceVersion', 'string', 'The resource version the list or watch starts from.'),
  resourceVersionMatch: q(
    'resourceVersionMatch',
    'string',
    'How resourceVersion applies to a list: Exact or NotOlderThan.',
  ),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Whether a watch starts with the current objects.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'The longest a list or watch call may last.'),
  watch: q('watch', 'boolean', 'Stream changes instead of returning a list.'),
};

const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function renderParam(p: Param, v: Version): Json {
  const base: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) base['required'] = true;
  return v === 'v3'
    ? { ...base, schema: { type: p.type, uniqueItems: true } }
    : { ...base, type: p.type, uniqueItems: true };
}

/** `rbac.authorization.k8s.io` `v1` → `RbacAuthorizationV1`; the core group is `CoreV1`. */
function operationGroup(group: string, version: string): string {
  const words = group ? group.replace(/\.k8s\.io$/, '').split('.') : ['core'];
  return (
    words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') + version[0]!.toUpperCase() + version.slice(1)
  );
}

interface Op {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: string;
  id: string;
  params: Param[];
  /** Request body: the object's definition name, or `patch` for the patch types. */
  body?: string;
  /** Response definition and codes. */
  response: string;
  codes: string[];
  gvk: { group: string; version: string; kind: string };
  description: string;
}

function renderOp(op: Op, v: Version): Json {
  const out: Json = {
    description: op.description,
    operationId: op.id,
    parameters: op.params.map((p) => renderParam(p, v)),
  };
  const schema = { $ref: refTo(v, op.response) };
  const produces = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  const bodyRef = op.body === 'patch' ? `${META}.Patch` : op.body;
  if (v === 'v3') {
    if (bodyRef)
      out['requestBody'] = {
        required: op.body !== undefined && op.method !== 'delete',
        content: Object.fromEntries(
          (op.body === 'patch' ? PATCH_TYPES : OBJECT_TYPES).map((t) => [
            t,
            { schema: { $ref: refTo(v, bodyRef) } },
          ]),
        ),
      };
    out['responses'] = Object.fromEntries([
      ...op.codes.map((c) => [
        c,
        {
          description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK',
          content: Object.fromEntries(produces.map((t) => [t, { schema }])),
        },
      ]),
      ['401', { description: 'Unauthorized' }],
    ]);
  } else {
    if (bodyRef)
      (out['parameters'] as Json[]).unshift({
        name: 'body',
        in: 'body',
        required: op.method !== 'delete',
        schema: { $ref: refTo(v, bodyRef) },
      });
    out['consumes'] = op.body === 'patch' ? PATCH_TYPES : ['*/*'];
    out['produces'] = produces;
    out['schemes'] = ['https'];
    out['responses'] = Object.fromEntries([
      ...op.codes.map((c) => [
        c,
        { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', schema },
      ]),
      ['401', { description: 'Unauthorized' }],
    ]);
  }
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

const pathParam = (name: string, description: string): Param => ({
  name,
  in: 'path',
  type: 'string',
  description,
  required: true,
});

/** The paths of one resource, with their operations. Returns the definitions they reference. */
function resourcePaths(
  def: ResourceDefinition,
  add: (path: string, params: Param[], ops: Op[]) => void,
): string[] {
  const kindDef = definitionForKind(def.group, def.version, def.kind);
  if (!kindDef) return [];
  const listDef = definitions().has(`${kindDef}List`) ? `${kindDef}List` : kindDef;
  const verbs = new Set(def.verbs ?? ALL_VERBS);
  const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const G = operationGroup(def.group, def.version);
  const ns = def.namespaced ? 'Namespaced' : '';
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const scope = def.namespaced ? `/namespaces/{namespace}/${def.resource}` : `/${def.resource}`;
  const nsParams = def.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const nameParam = pathParam('name', `name of the ${def.kind}`);
  const K = def.kind;
  const op = (o: Omit<Op, 'gvk'> & { gvk?: Op['gvk'] }): Op => ({ gvk, ...o });

  const collection: Op[] = [];
  if (verbs.has('list'))
    collection.push(
      op({
        method: 'get',
        action: 'list',
        id: `list${G}${ns}${K}`,
        params: LIST_PARAMS,
        response: listDef,
        codes: ['200'],
        description: `list or watch objects of kind ${K}`,
      }),
    );
  if (verbs.has('create'))
    collection.push(
      op({
        method: 'post',
        action: 'post',
        id: `create${G}${ns}${K}`,
        params: WRITE_PARAMS,
        body: kindDef,
        response: kindDef,
        codes: ['200', '201', '202'],
        description: `create a ${K}`,
      }),
    );
  if (verbs.has('deletecollection'))
    collection.push(
      op({
        method: 'delete',
        action: 'deletecollection',
        id: `delete${G}Collection${ns}${K}`,
        params: [
          ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'),
          ...DELETE_PARAMS,
        ],
        body: `${META}.DeleteOptions`,
        response: `${META}.Status`,
        codes: ['200'],
        description: `delete collection of ${K}`,
      }),
    );
  if (collection.length) add(`${base}${scope}`, [...nsParams, P.pretty], collection);

  const item: Op[] = [];
  if (verbs.has('get'))
    item.push(
      op({
        method: 'get',
        action: 'get',
        id: `read${G}${ns}${K}`,
        params: [],
        response: kindDef,
        codes: ['200'],
        description: `read the specified ${K}`,
      }),
    );
  if (verbs.has('update'))
    item.push(
      op({
        method: 'put',
        action: 'put',
        id: `replace${G}${ns}${K}`,
        params: WRITE_PARAMS,
        body: kindDef,
        response: kindDef,
        codes: ['200', '201'],
        description: `replace the specified ${K}`,
      }),
    );
  if (verbs.has('patch'))
    item.push(
      op({
        method: 'patch',
        action: 'patch',
        id: `patch${G}${ns}${K}`,
        params: [...WRITE_PARAMS, P.force],
        body: 'patch',
        response: kindDef,
        codes: ['200', '201'],
        description: `partially update the specified ${K}`,
      }),
    );
  if (verbs.has('delete'))
    item.push(
      op({
        method: 'delete',
        action: 'delete',
        id: `delete${G}${ns}${K}`,
        params: DELETE_PARAMS,
        body: `${META}.DeleteOptions`,
        response: `${META}.Status`,
        codes: ['200', '202'],
        description: `delete a ${K}`,
      }),
    );
  if (item.length) add(`${base}${scope}/{name}`, [nameParam, ...nsParams, P.pretty], item);

  if (def.namespaced && verbs.has('list'))
    add(
      `${base}/${def.resource}`,
      [P.pretty],
      [
        op({
          method: 'get',
          action: 'list',
          id: `list${G}${K}ForAllNamespaces`,
          params: LIST_PARAMS,
          response: listDef,
          codes: ['200'],
          description: `list or watch objects of kind ${K}`,
        }),
      ],
    );
  if (verbs.has('watch')) {
    const watch = (path: string, params: Param[], action: string, id: string) =>
      add(
        `${base}/watch${path}`,
        [...params, P.pretty],
        [
          op({
            method: 'get',
            action,
            id,
            params: LIST_PARAMS,
            response: `${META}.WatchEvent`,
            codes: ['200'],
            description: `watch changes to objects of kind ${K}`,
          }),
        ],
      );
    watch(scope, nsParams, 'watchlist', `watch${G}${ns}${K}List`);
    watch(`${scope}/{name}`, [nameParam, ...nsParams], 'watch', `watch${G}${ns}${K}`);
    if (def.namespaced) watch(`/${def.resource}`, [], 'watchlist', `watch${G}${K}ListForAllNamespaces`);
  }

  const refs = [kindDef, listDef];
  const sub = (name: string, kindName: string, subGvk: Op['gvk'], verbsOf: string[]) => {
    const ops: Op[] = [];
    const S = name[0]!.toUpperCase() + name.slice(1);
    if (verbsOf.includes('get'))
      ops.push(
        op({
          method: 'get',
          action: 'get',
          id: `read${G}${ns}${K}${S}`,
          params: [],
          response: kindName,
          codes: ['200'],
          gvk: subGvk,
          description: `read ${name} of the specified ${K}`,
        }),
      );
    if (verbsOf.includes('update'))
      ops.push(
        op({
          method: 'put',
          action: 'put',
          id: `replace${G}${ns}${K}${S}`,
          params: WRITE_PARAMS,
          body: kindName,
          response: kindName,
          codes: ['200', '201'],
          gvk: subGvk,
          description: `replace ${name} of the specified ${K}`,
        }),
      );
    if (verbsOf.includes('patch'))
      ops.push(
        op({
          method: 'patch',
          action: 'patch',
          id: `patch${G}${ns}${K}${S}`,
          params: [...WRITE_PARAMS, P.force],
          body: 'patch',
          response: kindName,
          codes: ['200', '201'],
          gvk: subGvk,
          description: `partially update ${name} of the specified ${K}`,
        }),
      );
    add(`${base}${scope}/{name}/${name}`, [nameParam, ...nsParams, P.pretty], ops);
  };
  if (def.status) sub('status', kindDef, gvk, ['get', 'update', 'patch']);
  const scaleDef = definitionForKind('autoscaling', 'v1', 'Scale');
  if (def.scale && scaleDef) {
    sub('scale', scaleDef, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, [
      'get',
      'update',
      'patch',
    ]);
    refs.push(scaleDef);
  }
  return refs;
}

/** The OpenAPI v3 document of one group-version. */
export function buildV3Document(
  registry: ResourceRegistry,
  group: string,
  version: string,
  k8sVersion: string,
): Json {
  const paths: Json = {};
  const roots = new Set(SHARED);
  const add = (path: string, params: Param[], ops: Op[]) => {
    paths[path] = {
      ...Object.fromEntries(ops.map((o) => [o.method, renderOp(o, 'v3')])),
      parameters: params.map((p) => renderParam(p, 'v3')),
    };
  };
  for (const def of registry.inGroupVersion(group, version))
    for (const r of resourcePaths(def, add)) roots.add(r);
  const defs = definitions();
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: k8sVersion },
    paths,
    components: {
      schemas: Object.fromEntries(closure(roots).map((n) => [n, renderSchema(defs.get(n)!, 'v3')])),
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
  };
}

/** The Swagger 2.0 document of /openapi/v2: every group-version's paths and definitions. */
export function buildV2Document(registry: ResourceRegistry, k8sVersion: string): Json {
  const paths: Json = {};
  const roots = new Set(SHARED);
  const add = (path: string, params: Param[], ops: Op[]) => {
    paths[path] = {
      ...Object.fromEntries(ops.map((o) => [o.method, renderOp(o, 'v2')])),
      parameters: params.map((p) => renderParam(p, 'v2')),
    };
  };
  for (const def of registry.all) for (const r of resourcePaths(def, add)) roots.add(r);
  const defs = definitions();
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: k8sVersion },
    paths,
    definitions: Object.fromEntries(closure(roots).map((n) => [n, renderSchema(defs.get(n)!, 'v2')])),
    securityDefinitions: {
      BearerToken: {
        type: 'apiKey',
        description: 'Bearer Token authentication',
        name: 'authorization',
        in: 'header',
      },
    },
    security: [{ BearerToken: [] }],
  };
}
