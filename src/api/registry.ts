/** Every built-in resource the API server serves, with lookups by URL parts and by kind. */
import { coreResources } from './builtin/core.js';
import { groupResources } from './builtin/groups.js';
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
    return [...out].map(([name, versions]) => ({
      name,
      versions: versions.sort((a, b) => b.localeCompare(a)),
    }));
  }

  inGroupVersion(group: string, version: string): ResourceDefinition[] {
    return this.all.filter((d) => d.group === group && d.version === version);
  }
}

export const builtinRegistry = (): ResourceRegistry =>
  new ResourceRegistry([...coreResources, ...groupResources]);
