/**
 * `metadata.managedFields` on the wire (metav1.ManagedFieldsEntry) and in memory: one field set per
 * manager identity. An Update entry is identified by manager, apiVersion and subresource; an Apply entry
 * by manager and subresource only, so re-applying under another version keeps one entry.
 */
import type { JsonObject } from '../json.js';
import { FieldSet } from './field-set.js';

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: JsonObject;
  subresource?: string;
}

export interface ManagerFields {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

/** Keyed by `identifierOf`. */
export type Managers = Map<string, ManagerFields>;

/** kube's manager identifier: the entry's JSON without time, fields and (for Apply) apiVersion. */
export function identifierOf(m: {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const id: Record<string, string> = {};
  if (m.manager) id['manager'] = m.manager;
  if (m.operation) id['operation'] = m.operation;
  if (m.apiVersion && m.operation !== 'Apply') id['apiVersion'] = m.apiVersion;
  if (m.subresource) id['subresource'] = m.subresource;
  return JSON.stringify(id);
}

export class ManagedFieldsError extends Error {}

/** Decodes the wire form; throws ManagedFieldsError with kube's reasons for entries it cannot use. */
export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object') throw new ManagedFieldsError(`entry ${i} must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    if (!e.fieldsType) throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1')
      throw new ManagedFieldsError(
        `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`,
      );
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new ManagedFieldsError(`error decoding set: ${(err as Error).message}`);
    }
    const m: ManagerFields = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      fields,
      ...(e.subresource ? { subresource: e.subresource } : {}),
      ...(e.time ? { time: e.time } : {}),
    };
    out.set(identifierOf(m), m);
  });
  return out;
}

const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The wire form, in kube's order: Apply before Update, then oldest first, then by name. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.fields.isEmpty());
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: m.fields.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

/** `[]` or `[{}]` asks to clear managedFields. */
export function isResetRequest(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  const only: unknown = entries[0];
  return entries.length === 1 && only !== null && typeof only === 'object' && Object.keys(only).length === 0;
}
