/** Every built-in resource the API server serves, with lookups by URL parts and by kind. */
import { coreResources } from './builtin/core.js';
import { groupResources } from './builtin/groups.js';
import { virtualResources } from './builtin/virtual.js';
import { groupVersion } from './types.js';
import type { ResourceDefinition } from './types.js';

export class ResourceRegistry {
  readonly all: readonly ResourceDefinition[];
  private readonly byPath = new Map<string, ResourceDefinition>();

  constructor(defs: ResourceDefinition[]) {
    this.all = defs;
    for (const d of defs) this.byPath.set(`${groupVersion(d)}/${d.resource}`, d);
  }

  lookup(group: string, version: string, resource: string): ResourceDefinition | undefined {
    return this.byPath.get(`${group ? `${group}/` : ''}${version}/${resource}`);
  }

  /** Group names in discovery order: core first, then as defined. */
  groups(): { name: string; versions: string[] }[] {
    const out = new Map<string, string[]>();
    for (const d of this.all) {
      const versions = out.get(d.group) ?? [];
      if (!versions.includes(d.version)) versions.push(d.version);
      out.set(d.group, versions);
    }
    // Preferred version first (the newest GA), as Kubernetes lists autoscaling v2 before v1.
    return [...out].map(([name, versions]) => ({ name, versions: versions.sort(compareVersionPriority) }));
  }

  inGroupVersion(group: string, version: string): ResourceDefinition[] {
    return this.all.filter((d) => d.group === group && d.version === version);
  }
}

/**
 * Kubernetes' version priority: GA before beta before alpha, higher numbers first within each
 * (v2 > v1 > v1beta2 > v1beta1 > v1alpha1); anything else last, alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    return [m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return a.localeCompare(b);
}

export const builtinRegistry = (): ResourceRegistry =>
  new ResourceRegistry([...coreResources, ...groupResources, ...virtualResources]);
