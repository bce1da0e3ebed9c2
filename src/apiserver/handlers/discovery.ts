/**
 * API discovery, built from the resource registry: the legacy documents (/api, /apis, /api/v1,
 * /apis/G/V) and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) chosen strictly by Accept,
 * since kubectl 1.27–1.29 cannot read v2 and decide by the response's Content-Type alone.
 */
import * as E from '../../apimachinery/errors.js';
import type { ResourceRegistry } from '../../api/registry.js';
import { ALL_VERBS, groupVersion } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/types.js';
import { chooseDiscoveryFormat } from '../http/negotiate.js';
import { send } from '../http/io.js';
import type { Req, Res } from '../http/io.js';

function legacyResources(defs: ResourceDefinition[]): unknown[] {
  const out: unknown[] = [];
  for (const d of defs) {
    const entry: Record<string, unknown> = {
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs ?? ALL_VERBS,
    };
    if (d.shortNames) entry['shortNames'] = d.shortNames;
    if (d.categories) entry['categories'] = d.categories;
    out.push(entry);
    if (d.status)
      out.push({
        name: `${d.resource}/status`,
        singularName: '',
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: ['get', 'patch', 'update'],
      });
    if (d.scale)
      out.push({
        name: `${d.resource}/scale`,
        singularName: '',
        namespaced: d.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    for (const s of d.subresources ?? []) {
      const sub: Record<string, unknown> = {
        name: `${d.resource}/${s.name}`,
        singularName: '',
        namespaced: d.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      };
      if (s.group !== undefined) sub['group'] = s.group;
      if (s.version !== undefined) sub['version'] = s.version;
      out.push(sub);
    }
  }
  return out;
}

function aggregatedResources(defs: ResourceDefinition[]): unknown[] {
  return defs.map((d) => {
    const r: Record<string, unknown> = {
      resource: d.resource,
      responseKind: { group: d.group, version: d.version, kind: d.kind },
      scope: d.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: d.singular,
      verbs: d.verbs ?? ALL_VERBS,
    };
    if (d.shortNames) r['shortNames'] = d.shortNames;
    if (d.categories) r['categories'] = d.categories;
    const subs: unknown[] = [];
    if (d.status)
      subs.push({
        subresource: 'status',
        responseKind: { group: d.group, version: d.version, kind: d.kind },
        verbs: ['get', 'patch', 'update'],
      });
    if (d.scale)
      subs.push({
        subresource: 'scale',
        responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      });
    for (const s of d.subresources ?? [])
      subs.push({
        subresource: s.name,
        responseKind: { group: s.group ?? d.group, version: s.version ?? d.version, kind: s.kind },
        verbs: s.verbs,
      });
    if (subs.length) r['subresources'] = subs;
    return r;
  });
}

export class Discovery {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly serverAddress: () => string,
  ) {}

  private aggregated(core: boolean, version: 'v2' | 'v2beta1'): unknown {
    const groups = this.registry.groups().filter((g) => (g.name === '') === core);
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: groups.map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          resources: aggregatedResources(this.registry.inGroupVersion(g.name, v)),
          freshness: 'Current',
        })),
      })),
    };
  }

  /** Serves a discovery path; false when the path is not a discovery document. */
  serve(req: Req, res: Res, path: string): boolean {
    const p = path.replace(/\/+$/, '');
    const format = chooseDiscoveryFormat(req.headers['accept']);
    const agg = (core: boolean) => {
      if (!format)
        throw E.notAcceptable(
          'only the following media types are accepted: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList, application/json',
        );
      if (format === 'legacy') return false;
      send(
        res,
        200,
        this.aggregated(core, format),
        `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`,
        { vary: 'Accept' },
      );
      return true;
    };
    if (p === '/api') {
      if (agg(true)) return true;
      send(
        res,
        200,
        {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
        },
        'application/json',
        { vary: 'Accept' },
      );
      return true;
    }
    if (p === '/apis') {
      if (agg(false)) return true;
      send(
        res,
        200,
        {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: this.registry
            .groups()
            .filter((g) => g.name !== '')
            .map((g) => this.groupDoc(g)),
        },
        'application/json',
        { vary: 'Accept' },
      );
      return true;
    }
    if (p === '/api/v1') {
      send(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: legacyResources(this.registry.inGroupVersion('', 'v1')),
      });
      return true;
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(p);
    if (!m) return false;
    const group = this.registry.groups().find((g) => g.name === m[1]);
    if (!group) return false;
    if (!m[2]) {
      send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(group) });
      return true;
    }
    if (!group.versions.includes(m[2])) return false;
    send(res, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${group.name}/${m[2]}`,
      resources: legacyResources(this.registry.inGroupVersion(group.name, m[2])),
    });
    return true;
  }

  private groupDoc(g: { name: string; versions: string[] }): Record<string, unknown> {
    const versions = g.versions.map((v) => ({
      groupVersion: groupVersion({ group: g.name, version: v }),
      version: v,
    }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }
}
