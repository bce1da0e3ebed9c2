/**
 * Strategic merge patch, applied as kube-apiserver applies it (k8s.io/apimachinery/pkg/util/strategicpatch,
 * server mode): JSON merge patch, except that lists the schema marks `patchStrategy: merge` merge
 * element by element on their merge key (or as sets, for lists of scalars), and these directives:
 *
 * - `$patch: replace` in an object: the object replaces the original instead of merging into it; as an
 *   element of a merged list: the list's other elements replace the original list.
 * - `$patch: delete` in an object: the object becomes `{}`; as an element of a merged list (with the
 *   merge key): every element with that key is removed.
 * - `$retainKeys: [k...]` in an object: original keys not listed are cleared (every non-null key of the
 *   patch object must be listed, else 400).
 * - `$deleteFromPrimitiveList/<list>: [v...]`: those values are removed from the list.
 * - `$setElementOrder/<list>: [...]`: the merged list follows this order (elements given by merge key
 *   for lists of objects); elements it does not mention keep their relative place among the others.
 *
 * `$patch: merge` is refused in patches, as kube refuses it (it exists only as a struct tag). The
 * result is what kube-apiserver stores after decoding the merged map into its Go types: values a patch
 * sets wholesale lose their null members and directive keys, and new objects carrying `$patch` are
 * dropped.
 */
import { badRequest } from '../errors.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { patchFailed } from './errors.js';
import { goV, jsonKindName } from './go-format.js';
import type { PatchTarget } from './json-patch.js';
import {
  badArgType,
  badPatchType,
  badPrimitiveListFormat,
  badRetainKeysFormat,
  badSetElementOrderFormat,
  noMergeKey,
} from './smp-errors.js';
import {
  dedupeScalars,
  elementKind,
  findByKey,
  isDeleteElement,
  normalizeOrder,
  partition,
} from './smp-order.js';
import { fieldSchema, type SmpSchema } from './smp-schema.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  kindOf,
  newValue,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  taken,
} from './smp-values.js';

/** Handles `$patch` elements: deletions apply to `original`; `replace` makes the rest the new list. */
function applyListDirectives(
  original: JsonValue[],
  patch: JsonObject[],
  mergeKey: string,
): [JsonValue[], JsonObject[]] {
  const rest: JsonObject[] = [];
  let replace = false;
  for (const v of patch) {
    if (!Object.hasOwn(v, DIRECTIVE)) {
      rest.push(v);
      continue;
    }
    const directive = v[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      const key = v[mergeKey];
      original = original.filter(
        (o) => !(isJsonObject(o) && Object.hasOwn(o, mergeKey) && o[mergeKey] === key),
      );
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw patchFailed('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, v);
    }
  }
  return replace ? [rest.map(taken), []] : [original, rest];
}

function mergeByKey(
  original: JsonValue[],
  patch: JsonObject[],
  mergeKey: string,
  items: SmpSchema | undefined,
): JsonValue[] {
  for (const v of patch) {
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const i = findByKey(original, mergeKey, v[mergeKey]);
    if (i >= 0) original[i] = mergeMap(original[i] as JsonObject, v, items);
    else original.push(taken(v));
  }
  return original;
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  schema: SmpSchema | undefined,
  isDeleteList: boolean,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind([original, patch]);
  const mergeKey = schema?.mergeKey ?? '';
  let merged: JsonValue[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const doomed = new Set(patch);
      return original.filter((v) => !doomed.has(v));
    }
    merged = dedupeScalars([...original, ...patch]);
  } else {
    if (mergeKey === '')
      throw patchFailed(`cannot merge lists without merge key for ${schema?.items ? 'struct' : 'string'}`);
    [original, patch] = applyListDirectives(original, patch as JsonObject[], mergeKey);
    merged = mergeByKey([...original], patch as JsonObject[], mergeKey, schema?.items);
  }
  const [fromPatch, serverOnly] = partition(merged, patch, mergeKey);
  return normalizeOrder(fromPatch, serverOnly, patch, original, mergeKey, kind);
}

function mergeList(
  original: JsonValue[],
  patch: JsonValue[],
  schema: SmpSchema | undefined,
  isDeleteList: boolean,
): JsonValue[] {
  // Deletion lists apply whatever the list's strategy.
  if (schema?.patchStrategy === 'merge' || isDeleteList)
    return mergeSlice(original, patch, schema, isDeleteList);
  return taken(patch);
}

// ---- Maps ----

/** The list a `$deleteFromPrimitiveList/` or `$setElementOrder/` key is about. */
function listKeyOf(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix)
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? badPrimitiveListFormat() : badSetElementOrderFormat();
  return key.slice(slash + 1);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRetainKeysFormat();
  const retained = new Set<JsonValue>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw badRetainKeysFormat();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/** Checks that the patch list's elements appear in the order list, in the same relative order. */
function checkOrderMatchesPatch(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    const notMap = patchList.find((v) => !isJsonObject(v));
    if (notMap !== undefined) throw badArgType('map', notMap);
    items = patchList.filter((v) => !isDeleteElement(v));
  }
  const sameElement = (a: JsonValue, b: JsonValue): boolean => {
    if (mergeKey === '') return a === b;
    if (!isJsonObject(a)) throw badArgType('map', a);
    if (!isJsonObject(b)) throw badArgType('map', b);
    if (!Object.hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
    if (!Object.hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p]!;
    if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameElement(item, order[s]!)) p++;
    s++;
  }
  if (p < items.length)
    throw patchFailed(
      `The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goV(order)}\n`,
    );
}

function asList(v: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(v)) throw badArgType('list', v);
  return v;
}

/** Merges every list that has a `$setElementOrder/<list>` and puts it in that order. */
function applyElementOrders(original: JsonObject, patch: JsonObject, schema: SmpSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const orderValue = patch[key];
    delete patch[key];
    const order = asList(orderValue);
    const listKey = listKeyOf(key, SET_ELEMENT_ORDER);
    const originalList = Object.hasOwn(original, listKey) ? asList(original[listKey]) : undefined;
    const patchList = Object.hasOwn(patch, listKey) ? asList(patch[listKey]) : undefined;
    const listSchema = fieldSchema(schema, listKey);
    const mergeKey = listSchema?.mergeKey ?? '';
    checkOrderMatchesPatch(patchList ?? [], order, mergeKey);

    let merged: JsonValue[];
    if (originalList !== undefined && patchList !== undefined)
      merged = mergeList([...originalList], patchList, listSchema, false);
    else if (originalList !== undefined) merged = originalList;
    else if (patchList !== undefined) merged = newValue(patchList) as JsonValue[];
    else continue;

    const [ordered, serverOnly] = partition(merged, order, mergeKey);
    const kind = elementKind([originalList ?? [], patchList ?? []]);
    original[listKey] = normalizeOrder(ordered, serverOnly, order, originalList ?? [], mergeKey, kind);
    delete patch[listKey];
  }
}

function setNew(original: JsonObject, key: string, value: JsonValue): void {
  const v = newValue(value);
  if (v === undefined) delete original[key];
  else original[key] = v;
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: SmpSchema | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'delete') return {};
    if (directive !== 'replace') throw badPatchType(directive, patch);
    delete patch[DIRECTIVE];
    return taken(patch);
  }
  applyRetainKeys(original, patch);
  applyElementOrders(original, patch, schema);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? listKeyOf(patchKey, DELETE_FROM_PRIMITIVE_LIST) : patchKey;

    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const originalValue = original[key];
    if (originalValue === undefined || kindOf(originalValue) !== kindOf(patchValue)) {
      if (!isDeleteList) setNew(original, key, patchValue);
      continue;
    }
    const sub = fieldSchema(schema, key);
    if (isJsonObject(originalValue))
      original[key] =
        sub?.patchStrategy === 'replace'
          ? taken(patchValue)
          : mergeMap(originalValue, patchValue as JsonObject, sub);
    else if (Array.isArray(originalValue))
      original[key] = mergeList(originalValue, patchValue as JsonValue[], sub, isDeleteList);
    else original[key] = patchValue;
  }
  return original;
}

/**
 * Applies a strategic merge patch (the parsed request body) to an object, returning a new object; the
 * inputs are not modified. A null patch changes nothing; a patch that is not an object is 400.
 */
export function applyStrategicMergePatch(doc: PatchTarget, body: unknown, schema: SmpSchema): JsonObject {
  const original = doc as JsonValue;
  const patch = body as JsonValue;
  if (!isJsonObject(original)) throw badRequest('invalid JSON document');
  if (patch === null) return cloneJson(original);
  if (!isJsonObject(patch))
    throw badRequest(
      `json: cannot unmarshal ${jsonKindName(patch)} into Go value of type map[string]interface {}`,
    );
  return mergeMap(cloneJson(original), cloneJson(patch), schema);
}
