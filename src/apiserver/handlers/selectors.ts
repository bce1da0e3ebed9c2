/**
 * List and watch filters from `labelSelector` and `fieldSelector`, built on the shared selector
 * machinery in src/apimachinery. Field selectors know metadata.name/metadata.namespace plus the fields a
 * resource declares selectable; anything else is refused as Kubernetes refuses it.
 */
import * as E from '../../apimachinery/errors.js';
import { parseFieldSelector, matchesFields, unsupportedField } from '../../apimachinery/fields/index.js';
import { parseLabelSelector } from '../../apimachinery/labels/index.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { Filter } from '../registry/object-store.js';

export function fieldsOf(def: ResourceDefinition, obj: StoredObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata.name };
  if (def.namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  for (const [name, get] of Object.entries(def.selectableFields ?? {})) fields[name] = get(obj);
  return fields;
}

export function buildFilter(def: ResourceDefinition, query: URLSearchParams): Filter | undefined {
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs) : undefined;
  if (fields) {
    const supported = new Set([
      'metadata.name',
      ...(def.namespaced ? ['metadata.namespace'] : []),
      ...Object.keys(def.selectableFields ?? {}),
    ]);
    const bad = unsupportedField(fields, supported);
    if (bad) throw E.badRequest(`field label not supported: ${bad}`);
  }
  if (!labels && !fields) return undefined;
  return (obj) =>
    (!labels || labels.matches(obj.metadata.labels ?? {})) &&
    (!fields || matchesFields(fields, fieldsOf(def, obj)));
}
