/**
 * Field paths as server-side apply names them (sigs.k8s.io/structured-merge-diff fieldpath): a path is a
 * list of elements, each a struct/map field, an associative list item by its key fields, a set item by
 * its value, or an atomic list item by index. Elements have a canonical string form, the keys of the
 * FieldsV1 JSON: `f:<name>`, `k:<JSON object of the key fields, sorted by name>`, `v:<JSON value>`,
 * `i:<index>`.
 */
import type { JsonValue } from '../json.js';

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, JsonValue]> }
  | { readonly value: JsonValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** JSON with object members in name order, so equal values serialize alike. */
function canonicalJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The FieldsV1 key of an element. */
export function serializeElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe)
    return `k:{${pe.key.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${canonicalJson(pe.value)}`;
  return `i:${pe.index}`;
}

export class PathElementError extends Error {}

/** Parses a FieldsV1 key; undefined for element kinds this version does not know (they are skipped, as kube does). */
export function parseElement(s: string): PathElement | undefined {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rest);
      } catch {
        throw new PathElementError(`invalid key ${JSON.stringify(rest)}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new PathElementError(`key must be a JSON object: ${rest}`);
      return keyElement(Object.entries(parsed as Record<string, JsonValue>));
    }
    case 'v:':
      try {
        return { value: JSON.parse(rest) as JsonValue };
      } catch {
        throw new PathElementError(`invalid value ${JSON.stringify(rest)}`);
      }
    case 'i:': {
      const n = Number(rest);
      if (!Number.isInteger(n) || n < 0) throw new PathElementError(`invalid index ${JSON.stringify(rest)}`);
      return { index: n };
    }
    default:
      return undefined;
  }
}

export const keyElement = (fields: Iterable<readonly [string, JsonValue]>): PathElement => ({
  key: [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
});

const rank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

/** The order kube serializes sets in: fields, then keys, values, indexes; each by its own order. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if ('index' in a && 'index' in b) return a.index - b.index;
  const sa = serializeElement(a);
  const sb = serializeElement(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The human form kube prints in conflicts: `.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${canonicalJson(v)}`).join(',')}]`;
      if ('value' in pe) return `[=${canonicalJson(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}
