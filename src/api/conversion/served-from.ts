/**
 * A resource version served from another version's storage: the same objects, printed with the
 * storage version's columns and defaulted by its defaults, through the conversion.
 */
import type { KubeObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition, StorageConversion } from '../types.js';

export type Converter = Omit<StorageConversion, 'group' | 'version' | 'kind'>;

/** Replaces the contents of `target` with those of `source`, keeping the object's identity. */
function assignInPlace(target: KubeObject, source: KubeObject): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, source);
}

export function servedFrom(
  storage: ResourceDefinition,
  view: { group: string; version: string },
  conv: Converter,
  overrides: Partial<ResourceDefinition> = {},
): ResourceDefinition {
  // Validation and field selectors are per version: the view brings its own, if any.
  const rest: ResourceDefinition = { ...storage };
  delete rest.validate;
  delete rest.selectableFields;
  return {
    ...rest,
    ...view,
    storedAs: { group: storage.group, version: storage.version, kind: storage.kind, ...conv },
    ...(storage.defaults
      ? {
          defaults(o: KubeObject) {
            const stored = conv.toStorage(o);
            storage.defaults!(stored);
            assignInPlace(o, conv.fromStorage(stored));
          },
        }
      : {}),
    ...(storage.cells ? { cells: (o: KubeObject) => storage.cells!(conv.toStorage(o)) } : {}),
    ...overrides,
  };
}
