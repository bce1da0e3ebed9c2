/**
 * Element order of merged lists, as kube's strategic merge patch settles it: the patch's (or the
 * `$setElementOrder` list's) order for the elements it names, the original order for the others,
 * interleaved where the original had them first.
 */
import { isJsonObject, type JsonValue } from '../json.js';
import { patchFailed } from './errors.js';
import { goV } from './go-format.js';
import { badArgType, noListOfLists, noMergeKey } from './smp-errors.js';
import { DIRECTIVE, kindOf, type Kind } from './smp-values.js';

/** The common kind of the elements of the lists: lists of lists and mixed kinds are refused. */
export function elementKind(lists: readonly (readonly JsonValue[])[]): Kind {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'list') throw noListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw patchFailed(`list element types are not identical: ${goV(lists as JsonValue[])}`);
      }
    }
  }
  if (kind === undefined) throw patchFailed('no elements in any of the given slices');
  return kind;
}

/** What identifies an element when ordering: its merge key's value for objects, itself otherwise. */
const identity = (v: JsonValue, mergeKey: string, kind: Kind): JsonValue =>
  kind === 'map' ? (isJsonObject(v) ? (v[mergeKey] ?? null) : null) : v;

function indexIn(list: readonly JsonValue[], v: JsonValue, mergeKey: string, kind: Kind): number {
  const id = identity(v, mergeKey, kind);
  return list.findIndex((item) => identity(item, mergeKey, kind) === id);
}

export function findByKey(
  list: readonly JsonValue[],
  mergeKey: string,
  value: JsonValue | undefined,
): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (!isJsonObject(item)) throw patchFailed(`value for key ${i} is not a map`);
    if (Object.hasOwn(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

function requireMergeKey(lists: readonly (readonly JsonValue[])[], mergeKey: string): void {
  for (const list of lists)
    for (const item of list) {
      if (!isJsonObject(item)) throw badArgType('map', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
}

export const isDeleteElement = (v: JsonValue) => isJsonObject(v) && v[DIRECTIVE] === 'delete';

/**
 * Sorts `items` by their place in `order`; as in kube's stable sort, an element missing from `order`
 * compares as "less", and `$patch: delete` elements go last.
 */
function sortByOrder(
  items: JsonValue[],
  order: readonly JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    requireMergeKey([items, order], mergeKey);
    toDelete = items.filter(isDeleteElement);
    items = items.filter((v) => !isDeleteElement(v));
  }
  const less = (a: JsonValue, b: JsonValue) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = ia >= 0 ? indexIn(order, b, mergeKey, kind) : -1;
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  const sorted = [...items];
  for (let i = 1; i < sorted.length; i++)
    for (let j = i; j > 0 && less(sorted[j]!, sorted[j - 1]!); j--)
      [sorted[j - 1], sorted[j]] = [sorted[j]!, sorted[j - 1]!];
  return [...sorted, ...toDelete];
}

/**
 * Interleaves server-only elements into the patch's elements: a server-only element goes before a patch
 * element only when the original list had it first; the relative order within each side is kept.
 */
function mergeSorted(
  serverOnly: readonly JsonValue[],
  fromPatch: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]!);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]!);
    else {
      const li = indexIn(serverOrder, serverOnly[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, fromPatch[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]!);
      else out.push(fromPatch[j++]!);
    }
  }
  return out;
}

export function normalizeOrder(
  fromPatch: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  const p = sortByOrder(fromPatch, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

/** Splits `merged` into the elements `by` mentions and the rest. */
export function partition(
  merged: readonly JsonValue[],
  by: readonly JsonValue[],
  mergeKey: string,
): [JsonValue[], JsonValue[]] {
  const inBy: JsonValue[] = [];
  const rest: JsonValue[] = [];
  if (mergeKey === '') {
    const set = new Set(by);
    for (const v of merged) (set.has(v) ? inBy : rest).push(v);
    return [inBy, rest];
  }
  for (const v of merged) {
    if (!isJsonObject(v)) throw badArgType('map', v);
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/** Go's in-place deduplication, which does not keep order (the ordering step restores it). */
export function dedupeScalars(s: JsonValue[]): JsonValue[] {
  let last = s.length - 1;
  for (let i = 0; i < last; i++) {
    for (let j = i + 1; j <= last; j++) {
      if (s[i] === s[j]) {
        s[j] = s[last]!;
        s.length = last;
        last--;
        j--;
      }
    }
  }
  return s;
}
