/** Which resources the API server serves, read from legacy discovery (`/api`, `/apis` and each group version). */
import type { ResourceType, RestClient } from './rest.js';

export interface DiscoveredResource extends ResourceType {
  verbs: string[];
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

/** Every resource (not subresource) of every served group version. */
export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const core = await client.getPath<{ versions: string[] }>('/api');
  const groups = await client.getPath<{ groups: { name: string; versions: { groupVersion: string }[] }[] }>(
    '/apis',
  );
  const paths = [
    ...core.versions.map((v) => `/api/${v}`),
    ...groups.groups.flatMap((g) => g.versions.map((v) => `/apis/${v.groupVersion}`)),
  ];
  const lists = await Promise.all(paths.map((p) => client.getPath<ApiResourceList>(p)));
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
