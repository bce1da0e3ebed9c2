/** Informer indexes controllers share: objects by namespace and by the uid of their controller. */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';
import { controllerRefOf } from './controller-ref.js';

export const BY_NAMESPACE = 'namespace';
export const BY_CONTROLLER_UID = 'controller-uid';

/** Adds the namespace and controller-uid indexes to `informer` (idempotent). */
export function indexByNamespaceAndController<T extends StoredObject>(informer: Informer<T>): Informer<T> {
  indexByNamespace(informer);
  indexByControllerUid(informer);
  return informer;
}

/** Adds the namespace index alone. */
export function indexByNamespace<T extends StoredObject>(informer: Informer<T>): void {
  informer.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
}

/** The cached objects of one namespace; the informer must have the namespace index. */
export function inNamespace<T extends StoredObject>(informer: Informer<T>, namespace: string): T[] {
  return informer.byIndex(BY_NAMESPACE, namespace);
}

/** The objects in `informer` whose controller reference has `uid` (needs the controller-uid index). */
export function ownedBy<T extends StoredObject>(informer: Informer<T>, uid: string): T[] {
  return informer.byIndex(BY_CONTROLLER_UID, uid);
}

/** Adds the controller-uid index alone. */
export function indexByControllerUid<T extends StoredObject>(informer: Informer<T>): void {
  informer.addIndex(BY_CONTROLLER_UID, (o) => {
    const ref = controllerRefOf(o);
    return ref ? [ref.uid] : [];
  });
}
