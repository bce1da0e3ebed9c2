/** meta.k8s.io Table responses, the shape `kubectl get` prints. */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { AGE, age, col } from '../../api/printing.js';
import { NAME_DESC } from '../../api/builtin/core.js';
import type { ResourceDefinition, TableColumn } from '../../api/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object')
    throw E.badRequest(`includeObject must be one of None, Metadata, Object: ${v}`);
  return v;
}

export function columnsOf(def: ResourceDefinition): TableColumn[] {
  return [{ ...col('Name', NAME_DESC), format: 'name' }, ...(def.columns ?? [AGE])];
}

function cellsOf(def: ResourceDefinition, obj: StoredObject): unknown[] {
  return [obj.metadata.name, ...(def.cells ? def.cells(obj) : [age(obj)])];
}

function rowObject(obj: StoredObject, include: IncludeObject, version: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function toTable(
  def: ResourceDefinition,
  items: StoredObject[],
  opts: {
    version: string;
    include: IncludeObject;
    resourceVersion?: string;
    continueToken?: string;
    withColumns?: boolean;
  },
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion !== undefined) metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.continueToken) metadata['continue'] = opts.continueToken;
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
  };
  if (opts.withColumns !== false) table['columnDefinitions'] = columnsOf(def);
  table['rows'] = items.map((obj) => {
    const row: Record<string, unknown> = { cells: cellsOf(def, obj) };
    const o = rowObject(obj, opts.include, opts.version);
    if (o !== undefined) row['object'] = o;
    return row;
  });
  return table;
}
