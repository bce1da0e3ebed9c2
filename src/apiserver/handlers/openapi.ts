/**
 * /openapi/v3: the root index and one document per group-version. Each resource path carries the
 * operations kubectl looks for, with `x-kubernetes-group-version-kind` and the `fieldValidation`
 * parameter, so kubectl 1.29+ trusts server-side validation (fieldValidation=Strict).
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../../api/registry.js';
import { ALL_VERBS, groupVersion } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/types.js';
import { send } from '../http/io.js';
import type { Res } from '../http/io.js';

const queryParam = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

function operation(def: ResourceDefinition, action: string): Record<string, unknown> {
  return {
    operationId: `${action}${def.kind}`,
    parameters: [queryParam('dryRun'), queryParam('fieldManager'), queryParam('fieldValidation')],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
    responses: { '200': { description: 'OK' } },
  };
}

function gvDocument(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> {
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  for (const d of registry.inGroupVersion(group, version)) {
    const collection = d.namespaced
      ? `${base}/namespaces/{namespace}/${d.resource}`
      : `${base}/${d.resource}`;
    // Only the operations the resource serves: reviews are create-only, ComponentStatus read-only.
    const verbs = d.verbs ?? ALL_VERBS;
    const ops = (pairs: [string, string, string][]) =>
      Object.fromEntries(
        pairs.filter(([verb]) => verbs.includes(verb)).map(([, m, a]) => [m, operation(d, a)]),
      );
    const coll = ops([
      ['create', 'post', 'post'],
      ['list', 'get', 'list'],
    ]);
    const item = ops([
      ['get', 'get', 'get'],
      ['update', 'put', 'put'],
      ['patch', 'patch', 'patch'],
      ['delete', 'delete', 'delete'],
    ]);
    if (Object.keys(coll).length) paths[collection] = coll;
    if (Object.keys(item).length) paths[`${collection}/{name}`] = item;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

export class OpenApi {
  private readonly docs = new Map<string, { body: string; hash: string }>();

  constructor(registry: ResourceRegistry) {
    for (const g of registry.groups())
      for (const v of g.versions) {
        const key = g.name ? `apis/${g.name}/${v}` : `api/${v}`;
        const body = JSON.stringify(gvDocument(registry, g.name, v));
        this.docs.set(key, {
          body,
          hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase(),
        });
      }
  }

  /** Serves /openapi/v3 and /openapi/v3/<gv>; false for any other path. */
  serve(res: Res, path: string): boolean {
    const p = path.replace(/\/+$/, '');
    if (p === '/openapi/v3') {
      const paths: Record<string, unknown> = {};
      for (const [key, doc] of this.docs)
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
      send(res, 200, { paths });
      return true;
    }
    const doc = this.docs.get(p.replace(/^\/openapi\/v3\//, ''));
    if (!p.startsWith('/openapi/v3/') || !doc) return false;
    res.writeHead(200, {
      'content-type': 'application/json',
      etag: `"${doc.hash}"`,
      'cache-control': 'public, immutable',
    });
    res.end(doc.body);
    return true;
  }
}

export { groupVersion };
