/**
 * What the handlers of non-stored resources and action subresources share: reading a typed body
 * (JSON, YAML or protobuf), answering in the negotiated format, and the services they answer from.
 */
import * as E from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import type { ResourceRegistry } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { ObjectGetter, ServiceAccountTokens } from '../authn/service-account-token.js';
import type { AuthorizerChain } from '../authz/chain.js';
import type { ComponentHealth } from '../health/component-status.js';
import { chooseFormat } from '../http/negotiate.js';
import { decodeObject, mediaType, readBody, send } from '../http/io.js';
import type { ResourceContext } from './resources.js';

export interface VirtualServices {
  registry: ResourceRegistry;
  authz: AuthorizerChain;
  /** Absent when the server has no service-account key (then tokens can be neither issued nor checked). */
  tokens?: ServiceAccountTokens;
  health: ComponentHealth;
  getObject: ObjectGetter;
}

/** A definition of the registry that must exist (pods, poddisruptionbudgets ...). */
export function defOf(
  s: VirtualServices,
  group: string,
  version: string,
  resource: string,
): ResourceDefinition {
  const d = s.registry.lookup(group, version, resource);
  if (!d) throw new Error(`resource ${resource}.${group}/${version} is not registered`);
  return d;
}

/** Reads the request body as an object of one of `accepted` apiVersion/kind pairs (filled in when absent). */
export async function readTypedBody(
  ctx: ResourceContext,
  accepted: { apiVersion: string; kind: string }[],
): Promise<KubeObject> {
  const body = await readBody(ctx.req);
  if (body.length === 0) throw E.badRequest('the body of the request was empty');
  const obj = decodeObject(body, mediaType(ctx.req), ctx.protobuf);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw E.badRequest('the body of the request must be a JSON object');
  const o = obj as KubeObject;
  const first = accepted[0]!;
  o.apiVersion ??= first.apiVersion;
  o.kind ??= first.kind;
  if (!accepted.some((a) => a.apiVersion === o.apiVersion && a.kind === o.kind))
    throw E.badRequest(
      `the API version in the data (${o.apiVersion}) does not match the expected API version (${first.apiVersion})`,
    );
  return o;
}

/** JSON or YAML as the client asked (a Table request gets JSON: these objects have no table form). */
export function respond(ctx: ResourceContext, code: number, body: unknown): void {
  const f = chooseFormat(ctx.req.headers['accept']);
  if (!f)
    throw E.notAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  send(ctx.res, code, body, f.kind === 'object' ? f.contentType : 'application/json');
}

/** The Status a successful action subresource (binding, eviction) answers with. */
export const successStatus = (code: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  code,
});

export function isDryRun(ctx: ResourceContext, bodyDryRun?: unknown): boolean {
  const values = [
    ...ctx.url.searchParams.getAll('dryRun'),
    ...(Array.isArray(bodyDryRun) ? (bodyDryRun as unknown[]) : []),
  ];
  for (const v of values) if (v !== 'All') throw E.badRequest(`Invalid dry run value: ${JSON.stringify(v)}`);
  return values.length > 0;
}

/** metadata that is empty but for a null creationTimestamp, as clients serialize an empty ObjectMeta. */
export function metadataIsEmpty(meta: KubeObject['metadata'], except: string[] = []): boolean {
  return Object.entries(meta ?? {}).every(
    ([k, v]) =>
      except.includes(k) || v === null || v === undefined || (k === 'managedFields' && Array.isArray(v)),
  );
}
