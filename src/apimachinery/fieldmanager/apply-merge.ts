/**
 * Merging an applied configuration into a live object, and removing fields from an object by path, as
 * server-side apply does (structured-merge-diff's merge and RemoveItems): scalars and atomic values are
 * replaced, objects merge key by key, associative lists and sets merge item by item keeping the live
 * order and appending new items in the configuration's order.
 */
import { cloneJson, isJsonObject } from '../json.js';
import type { JsonObject, JsonValue } from '../json.js';
import { fieldSchema } from '../patch/smp-schema.js';
import type { SmpSchema } from '../patch/smp-schema.js';
import type { FieldSet } from './field-set.js';
import { indexItems, itemElement, listTypeOf } from './object-fields.js';
import { serializeElement } from './path.js';
import type { Path } from './path.js';

export function mergeApplied(
  live: JsonObject,
  config: JsonObject,
  schema: SmpSchema | undefined,
): JsonObject {
  return mergeObjects(live, config, schema);
}

function mergeObjects(l: JsonObject, r: JsonObject, schema: SmpSchema | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(l)) {
    if (!Object.hasOwn(r, k)) out[k] = cloneJson(v);
  }
  for (const [k, v] of Object.entries(r)) {
    if (v === null) continue; // an explicit null clears the field; the applier still owns it
    const merged = Object.hasOwn(l, k) ? mergeValues(l[k]!, v, fieldSchema(schema, k)) : cloneJson(v);
    out[k] = merged;
  }
  // Keep the live key order where the configuration repeats keys, for stable output.
  const ordered: JsonObject = {};
  for (const k of Object.keys(l)) if (Object.hasOwn(out, k)) ordered[k] = out[k]!;
  for (const k of Object.keys(out)) if (!Object.hasOwn(ordered, k)) ordered[k] = out[k]!;
  return ordered;
}

function mergeValues(l: JsonValue, r: JsonValue, schema: SmpSchema | undefined): JsonValue {
  if (isJsonObject(l) && isJsonObject(r) && !schema?.atomic) return mergeObjects(l, r, schema);
  if (Array.isArray(l) && Array.isArray(r)) {
    const type = listTypeOf(schema);
    if (type.kind === 'atomic') return cloneJson(r);
    const right = indexItems(r, type);
    const out: JsonValue[] = [];
    const seen = new Set<string>();
    l.forEach((item, i) => {
      const k = serializeElement(itemElement(item, type, i));
      if (seen.has(k)) return;
      seen.add(k);
      const match = right.get(k);
      out.push(match ? mergeValues(item, match.item, schema?.items) : cloneJson(item));
    });
    for (const [k, { item }] of right) if (!seen.has(k)) out.push(cloneJson(item));
    return out;
  }
  return cloneJson(r);
}

/**
 * Removes the fields at `paths` from `obj` (in place), except those below which `keep` still has a
 * member: such a field stays, losing only what nobody keeps.
 */
export function removeFields(
  obj: JsonObject,
  paths: readonly Path[],
  keep: FieldSet,
  schema: SmpSchema | undefined,
): void {
  // Parents first: a list item must still carry its key fields when it is looked up.
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  for (const p of sorted) {
    if (keep.hasPrefix(p)) continue;
    removeAt(obj, p, schema);
  }
}

function removeAt(obj: JsonObject, path: Path, schema: SmpSchema | undefined): void {
  let parent: JsonValue = obj;
  let s = schema;
  for (const [i, pe] of path.entries()) {
    const last = i === path.length - 1;
    if ('field' in pe) {
      if (!isJsonObject(parent) || !Object.hasOwn(parent, pe.field)) return;
      if (last) {
        delete parent[pe.field];
        return;
      }
      s = fieldSchema(s, pe.field);
      parent = parent[pe.field]!;
      continue;
    }
    if (!Array.isArray(parent)) return;
    const type = listTypeOf(s);
    const want = serializeElement(pe);
    const list: JsonValue[] = parent;
    const idx = list.findIndex((item, j) => serializeElement(itemElement(item, type, j)) === want);
    if (idx < 0) return;
    if (last) {
      list.splice(idx, 1);
      return;
    }
    s = s?.items;
    parent = list[idx]!;
  }
}
