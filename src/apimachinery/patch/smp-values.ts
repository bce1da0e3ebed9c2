/** Strategic merge patch directives, and what becomes of patch values kube takes as they are. */
import { isJsonObject, type JsonValue } from '../json.js';

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

/** Go's dynamic type of a decoded JSON value, which decides whether two values merge. */
export type Kind = 'map' | 'list' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

export function kindOf(v: JsonValue): Kind {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'object':
      return 'map';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return Number.isInteger(v) ? 'int64' : 'float64';
  }
}

function discardNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isJsonObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      if (item === null) delete v[k];
      else discardNulls(item);
    }
  }
  return v;
}

/** Drops objects that carry `$patch` (and list elements that are such objects); undefined if `v` is one. */
function removeDirectives(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    const kept: JsonValue[] = [];
    for (const item of v) {
      const r = removeDirectives(item);
      if (r !== undefined) kept.push(r);
    }
    return kept;
  }
  if (!isJsonObject(v)) return v;
  if (Object.hasOwn(v, DIRECTIVE)) return undefined;
  for (const [k, item] of Object.entries(v)) {
    const r = removeDirectives(item);
    if (r === undefined) delete v[k];
    else v[k] = r;
  }
  return v;
}

/** Directive keys, not data (JSON Schema's `$ref` in a CRD, say, is data). */
const isDirectiveKey = (k: string) =>
  k === DIRECTIVE ||
  k === RETAIN_KEYS ||
  k.startsWith(SET_ELEMENT_ORDER) ||
  k.startsWith(DELETE_FROM_PRIMITIVE_LIST);

/** No API type has a field named like a directive, so decoding into Go types drops any left over. */
function stripDirectiveKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) v.forEach(stripDirectiveKeys);
  else if (isJsonObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      if (isDirectiveKey(k)) delete v[k];
      else stripDirectiveKeys(item);
    }
  }
  return v;
}

/** A value set where the original had none (or one of another type). */
export function newValue(v: JsonValue): JsonValue | undefined {
  const kept = removeDirectives(discardNulls(v));
  return kept === undefined ? undefined : stripDirectiveKeys(kept);
}

/** A value kube takes from the patch as it is: replaced objects and lists, appended list elements. */
export const taken = <T extends JsonValue>(v: T): T => stripDirectiveKeys(discardNulls(v)) as T;
