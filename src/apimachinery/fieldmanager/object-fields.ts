/**
 * Field sets of objects, read through the kind's schema (the shared strategic-merge metadata): lists with
 * a patch merge key are associative (items named by their list map keys), merged lists of scalars are
 * sets, other lists are atomic; objects are granular unless marked atomic.
 */
import { badRequest } from '../errors.js';
import { isJsonObject, jsonEqual } from '../json.js';
import type { JsonObject, JsonValue } from '../json.js';
import { fieldSchema } from '../patch/smp-schema.js';
import type { SmpSchema } from '../patch/smp-schema.js';
import { FieldSet } from './field-set.js';
import { keyElement, serializeElement } from './path.js';
import type { Path, PathElement } from './path.js';

export type ListType =
  | { kind: 'associative'; keys: readonly string[]; defaults: Readonly<Record<string, string>> }
  | { kind: 'set' }
  | { kind: 'atomic' };

export function listTypeOf(schema: SmpSchema | undefined): ListType {
  if (schema?.patchStrategy !== 'merge') return { kind: 'atomic' };
  if (!schema.mergeKey) return { kind: 'set' };
  return {
    kind: 'associative',
    keys: schema.listMapKeys ?? [schema.mergeKey],
    defaults: schema.keyDefaults ?? {},
  };
}

const isAtomicObject = (schema: SmpSchema | undefined) => schema?.atomic === true;

/** The path element naming a list item; a 400 for an item that lacks a key field, as kube answers. */
export function itemElement(item: JsonValue, type: ListType, index: number): PathElement {
  if (type.kind === 'set') return { value: item };
  if (type.kind === 'atomic') return { index };
  if (!isJsonObject(item))
    throw badRequest(`associative list with keys has an element that is not a map: ${JSON.stringify(item)}`);
  const fields: [string, JsonValue][] = [];
  for (const k of type.keys) {
    const v = Object.hasOwn(item, k) ? item[k]! : type.defaults[k];
    if (v === undefined)
      throw badRequest(
        `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
      );
    fields.push([k, v]);
  }
  return keyElement(fields);
}

/** Items of a non-atomic list by their element (first occurrence wins), in list order. */
export function indexItems(
  list: JsonValue[],
  type: ListType,
): Map<string, { pe: PathElement; item: JsonValue }> {
  const out = new Map<string, { pe: PathElement; item: JsonValue }>();
  list.forEach((item, i) => {
    const pe = itemElement(item, type, i);
    const k = serializeElement(pe);
    if (!out.has(k)) out.set(k, { pe, item });
  });
  return out;
}

/**
 * The fields an object (or applied configuration) specifies: every scalar, atomic list or object, list
 * item, and empty or null value; objects themselves are not members (kube's ToFieldSet).
 */
export function fieldSetOf(obj: JsonObject, schema: SmpSchema | undefined): FieldSet {
  const out = new FieldSet();
  walkObject(obj, schema, [], out);
  return out;
}

function walkValue(v: JsonValue, schema: SmpSchema | undefined, path: Path, out: FieldSet): void {
  if (isJsonObject(v)) {
    if (isAtomicObject(schema)) out.insert(path);
    else walkObject(v, schema, path, out);
  } else if (Array.isArray(v)) {
    const type = listTypeOf(schema);
    if (type.kind === 'atomic') {
      out.insert(path);
      return;
    }
    for (const { pe, item } of indexItems(v, type).values()) {
      const p = [...path, pe];
      walkValue(item, schema?.items, p, out);
      out.insert(p);
    }
  } else {
    out.insert(path);
  }
}

function walkObject(obj: JsonObject, schema: SmpSchema | undefined, path: Path, out: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) {
    const p = [...path, { field: k }];
    walkValue(v, fieldSchema(schema, k), p, out);
    if (v === null || (isJsonObject(v) && Object.keys(v).length === 0) || schema?.values) out.insert(p);
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs`: nodes only in rhs are added (and so is everything below them). */
export function compareObjects(lhs: JsonObject, rhs: JsonObject, schema: SmpSchema | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareObjectItems(lhs, rhs, schema, [], c);
  return c;
}

function isEmptyComposite(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}

function compareValues(
  l: JsonValue | undefined,
  r: JsonValue | undefined,
  schema: SmpSchema | undefined,
  path: Path,
  c: Comparison,
): void {
  const bothObjects = (l === undefined || isJsonObject(l)) && (r === undefined || isJsonObject(r));
  const bothLists = (l === undefined || Array.isArray(l)) && (r === undefined || Array.isArray(r));
  const leaf =
    (!bothObjects && !bothLists) ||
    (bothObjects && (isAtomicObject(schema) || (isEmptyComposite(l) && isEmptyComposite(r)))) ||
    (bothLists && (listTypeOf(schema).kind === 'atomic' || (isEmptyComposite(l) && isEmptyComposite(r))));
  if (leaf) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!jsonEqual(l, r)) c.modified.insert(path);
    return;
  }
  if (bothObjects) compareObjectItems(isJsonObject(l) ? l : {}, isJsonObject(r) ? r : {}, schema, path, c);
  else {
    const type = listTypeOf(schema);
    const left = indexItems((l ?? []) as JsonValue[], type);
    const right = indexItems((r ?? []) as JsonValue[], type);
    for (const [k, { pe, item }] of left) {
      compareValues(item, right.get(k)?.item, schema?.items, [...path, pe], c);
    }
    for (const [k, { pe, item }] of right) {
      if (!left.has(k)) compareValues(undefined, item, schema?.items, [...path, pe], c);
    }
  }
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

function compareObjectItems(
  l: JsonObject,
  r: JsonObject,
  schema: SmpSchema | undefined,
  path: Path,
  c: Comparison,
): void {
  for (const k of Object.keys(l))
    compareValues(l[k], r[k], fieldSchema(schema, k), [...path, { field: k }], c);
  for (const k of Object.keys(r))
    if (!Object.hasOwn(l, k))
      compareValues(undefined, r[k], fieldSchema(schema, k), [...path, { field: k }], c);
}
