/** Which resources the API server serves, read from legacy discovery (`/api`, `/apis` and each group version). */
import { statusErrorOf } from './rest.js';
import type { ResourceType, RestClient } from './rest.js';

export interface DiscoveredResource extends ResourceType {
  verbs: string[];
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

async function getJson<T>(client: RestClient, path: string): Promise<T> {
  const res = await client.transport.request({ method: 'GET', path });
  if (res.status >= 300) throw statusErrorOf(res.status, res.body);
  return JSON.parse(res.body.toString()) as T;
}

/** Every resource (not subresource) of every served group version. */
export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const core = await getJson<{ versions: string[] }>(client, '/api');
  const groups = await getJson<{ groups: { name: string; versions: { groupVersion: string }[] }[] }>(
    client,
    '/apis',
  );
  const paths = [
    ...core.versions.map((v) => `/api/${v}`),
    ...groups.groups.flatMap((g) => g.versions.map((v) => `/apis/${v.groupVersion}`)),
  ];
  const lists = await Promise.all(paths.map((p) => getJson<ApiResourceList>(client, p)));
  return lists.flatMap((list) => {
    const [group, version] = list.groupVersion.includes('/')
      ? list.groupVersion.split('/', 2)
      : ['', list.groupVersion];
    return list.resources
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group: group!,
        version: version!,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs,
      }));
  });
}
