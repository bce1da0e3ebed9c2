/**
 * Go's fmt verbs for decoded JSON values. kube-apiserver reports some patch failures with messages
 * built from `%v`/`%s` of the Go values (map[string]interface{}, []interface{}, int64, float64, ...),
 * and our messages must read the same.
 */
import type { JsonValue } from '../json.js';

const isInt = (n: number) => Number.isInteger(n);

/** `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6 up (two-digit exponent). */
function goFloat(n: number): string {
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e >= -4 && e < 6) return String(n);
  const sign = e < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
}

const sortedKeys = (o: Record<string, unknown>) =>
  Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** `%v`. Integers are int64 in kube's decoded patches; other numbers float64. */
export function goV(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return isInt(v) ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  return `map[${sortedKeys(v)
    .map((k) => `${k}:${goV(v[k])}`)
    .join(' ')}]`;
}

/** `%s`: strings as they are, anything else flagged the way fmt does (`%!s(int64=1)`). */
export function goS(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goS).join(' ')}]`;
  if (typeof v === 'object')
    return `map[${sortedKeys(v)
      .map((k) => `${k}:${goS(v[k])}`)
      .join(' ')}]`;
  return `%!s(${goTypeName(v)}=${goV(v)})`;
}

/** reflect.TypeOf(v).String() for a decoded JSON value; `%!s(<nil>)` is how kube prints a nil type. */
export function goTypeName(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** How encoding/json names a JSON value's kind in "cannot unmarshal X into Go value" errors. */
export function jsonKindName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'array' : 'object';
}
