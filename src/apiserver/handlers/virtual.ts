/**
 * Dispatch for what is not plain storage: the virtual resources (reviews, ComponentStatus, the legacy
 * `bindings`) and the action subresources (pods/binding, pods/eviction, serviceaccounts/token).
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import { chooseFormat } from '../http/negotiate.js';
import { send } from '../http/io.js';
import { bindPod } from './binding.js';
import { evictPod } from './eviction.js';
import type { ResourceContext } from './resources.js';
import { reviewHandler } from './reviews.js';
import { includeObjectOf, toTable } from './table.js';
import { tokenRequest } from './token-request.js';
import type { VirtualServices } from './virtual-io.js';

export type { VirtualServices } from './virtual-io.js';

const gr = (def: ResourceDefinition) => ({ group: def.group, resource: def.resource });

const COMPONENT_STATUS_WARNING = '299 - "v1 ComponentStatus is deprecated in v1.19+"';

async function componentStatus(svc: VirtualServices, name: string): Promise<StoredObject> {
  const condition = await svc.health.condition(name);
  // Not stored: no uid, resourceVersion or creation time, as kube-apiserver answers it.
  return {
    kind: 'ComponentStatus',
    apiVersion: 'v1',
    metadata: { name, creationTimestamp: null },
    conditions: [condition],
  } as unknown as StoredObject;
}

async function componentStatuses(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const { info, def } = ctx;
  const f = chooseFormat(ctx.req.headers['accept']);
  if (!f)
    throw E.notAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  let items: StoredObject[];
  if (info.verb === 'get') {
    if (!svc.health.has(info.name)) throw E.notFound(gr(def), info.name);
    items = [await componentStatus(svc, info.name)];
  } else if (info.verb === 'list') {
    items = await Promise.all(svc.health.names().map((n) => componentStatus(svc, n)));
  } else {
    throw E.methodNotAllowed(info.verb, gr(def));
  }
  const headers = { warning: COMPONENT_STATUS_WARNING };
  if (f.kind === 'table') {
    const table = toTable(def, items, { version: f.version, include: includeObjectOf(ctx.url.searchParams) });
    send(ctx.res, 200, table, f.contentType, headers);
    return;
  }
  const body =
    info.verb === 'get' ? items[0] : { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items };
  send(ctx.res, 200, body, f.contentType, headers);
}

/** Serves a request for a virtual resource (`def.virtual`). */
export async function handleVirtualResource(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const { def, info } = ctx;
  if (info.subresource) throw E.notFound(gr(def), info.name);
  if (!(def.verbs ?? []).includes(info.verb)) throw E.methodNotAllowed(info.verb, gr(def));
  if (def.group === '' && def.kind === 'ComponentStatus') return componentStatuses(ctx, svc);
  if (def.group === '' && def.kind === 'Binding') return bindPod(ctx, svc, true);
  const review = reviewHandler(def);
  if (review) return review(ctx, svc);
  throw E.serviceUnavailable(`${def.resource} is not available on this server yet`);
}

/** The handler of an action subresource, for resources.ts's subresource dispatch. */
export function actionSubresource(
  svc: VirtualServices,
): (
  def: ResourceDefinition,
  subresource: string,
  verb: string,
) => ((ctx: ResourceContext) => Promise<void>) | undefined {
  return (def, subresource, verb) => {
    if (verb !== 'create' || def.group !== '') return undefined;
    if (def.resource === 'pods' && subresource === 'binding') return (ctx) => bindPod(ctx, svc, false);
    if (def.resource === 'pods' && subresource === 'eviction') return (ctx) => evictPod(ctx, svc);
    if (def.resource === 'serviceaccounts' && subresource === 'token') return (ctx) => tokenRequest(ctx, svc);
    return undefined;
  };
}
