/** An informer index by namespace, so per-namespace lookups (a service's pods, a PDB's pods) skip the rest. */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';

const NAMESPACE_INDEX = 'namespace';

export function indexByNamespace<T extends StoredObject>(inf: Informer<T>): void {
  inf.addIndex(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
}

/** The cached objects of one namespace; the informer must have been given `indexByNamespace`. */
export function inNamespace<T extends StoredObject>(inf: Informer<T>, namespace: string): T[] {
  return inf.byIndex(NAMESPACE_INDEX, namespace);
}
