/**
 * The strategic-merge facts of each property (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`)
 * and the list types they imply (`x-kubernetes-list-type` map / set, `x-kubernetes-list-map-keys`), taken
 * from the same per-kind patch schemas the API server merges with, so documents and behaviour agree.
 */
import { smpSchemaFor } from '../../../apimachinery/patch/index.js';
import type { SmpSchema } from '../../../apimachinery/patch/index.js';
import type { SchemaNode } from '../types.js';

function describePatch(prop: SchemaNode, smp: SmpSchema): void {
  const strategy = [
    ...(smp.patchStrategy ? [smp.patchStrategy] : []),
    ...(smp.retainKeys ? ['retainKeys'] : []),
  ].join(',');
  if (strategy) prop.patchStrategy = strategy;
  if (smp.mergeKey) prop.patchMergeKey = smp.mergeKey;
  if (prop.type === 'array' && smp.patchStrategy === 'merge') {
    prop.listType = smp.mergeKey ? 'map' : 'set';
    if (smp.mergeKey) prop.listMapKeys = [smp.mergeKey];
  }
}

function annotate(defs: Map<string, SchemaNode>, name: string | undefined, smp: SmpSchema | undefined): void {
  const def = name ? defs.get(name) : undefined;
  if (!def || !smp?.fields) return;
  for (const [key, child] of Object.entries(smp.fields)) {
    const prop = def.properties?.[key];
    if (!prop) continue;
    describePatch(prop, child);
    if (prop.ref) annotate(defs, prop.ref, child);
    else if (prop.items?.ref) annotate(defs, prop.items.ref, child.items);
    else if (prop.additionalProperties?.ref) annotate(defs, prop.additionalProperties.ref, child.values);
  }
}

/** Annotates every definition reachable from a top-level kind with its patch facts. */
export function applyPatchExtensions(defs: Map<string, SchemaNode>): void {
  for (const [name, def] of defs)
    for (const gvk of def.gvk ?? []) annotate(defs, name, smpSchemaFor(gvk.group, gvk.version, gvk.kind));
}
