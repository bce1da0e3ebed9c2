/** Helpers for table cells, matching how kubectl users are used to seeing values printed. */
import type { KubeObject } from '../apimachinery/meta.js';
import type { TableColumn } from './types.js';

/** Kubernetes' HumanDuration: `45s`, `5m30s`, `3h`, `2d5h`, `400d`, `3y20d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function age(obj: KubeObject): string {
  const ts = obj.metadata?.creationTimestamp;
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>';
}

export const col = (
  name: string,
  description = '',
  priority = 0,
  type: TableColumn['type'] = 'string',
): TableColumn => ({
  name,
  type,
  format: '',
  description,
  priority,
});

export const AGE = col(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

/** A value at a dotted path of a JSON object. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export const str = (v: unknown, dflt = '<none>'): string =>
  v === undefined || v === null || v === '' ? dflt : typeof v === 'string' ? v : JSON.stringify(v);
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const arr = <T = Record<string, unknown>>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `app=web,tier=fe` from a map; `<none>` when empty. */
export function labelString(m: unknown): string {
  const entries = Object.entries(rec(m));
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
}

/** A metav1.LabelSelector as kubectl prints it in wide output. */
export function selectorString(sel: unknown): string {
  const s = rec(sel);
  const parts: string[] = Object.entries(rec(s['matchLabels'])).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arr(s['matchExpressions'])) {
    const op = String(e['operator']);
    const key = String(e['key']);
    const vals = arr<string>(e['values']).join(',');
    if (op === 'In') parts.push(`${key} in (${vals})`);
    else if (op === 'NotIn') parts.push(`${key} notin (${vals})`);
    else if (op === 'Exists') parts.push(key);
    else if (op === 'DoesNotExist') parts.push(`!${key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

/** Any JSON value as text: strings as they are, numbers and booleans printed, absent as '', the rest as JSON. */
export function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}
