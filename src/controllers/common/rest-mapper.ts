/**
 * Kinds to resources: which served resource an `apiVersion` + `kind` (an owner reference, a
 * controller reference) names, from discovery. A reference naming a version no longer served
 * resolves to another served version of the same group and kind.
 */
import type { DiscoveredResource } from '../../client/discovery.js';

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export class RestMapper {
  private readonly byGroupKind = new Map<string, DiscoveredResource[]>();

  constructor(resources: readonly DiscoveredResource[]) {
    for (const r of resources) {
      const k = `${r.group}/${r.kind}`;
      this.byGroupKind.set(k, [...(this.byGroupKind.get(k) ?? []), r]);
    }
  }

  resolve(apiVersion: string, kind: string): DiscoveredResource | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    const candidates = this.byGroupKind.get(`${group}/${kind}`) ?? [];
    return candidates.find((r) => r.version === version) ?? candidates[0];
  }
}
