/**
 * An informer index of objects by the uid of their controlling owner, so a controller finds the
 * pods (or Jobs, ReplicaSets, ...) it owns without scanning the whole cache.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';
import { controllerRefOf } from './controller-ref.js';

export const CONTROLLER_UID_INDEX = 'controller-uid';

/** Adds the index to `informer` (idempotent: every caller registers the same function). */
export function indexByControllerUid<T extends StoredObject>(informer: Informer<T>): void {
  informer.addIndex(CONTROLLER_UID_INDEX, (obj) => {
    const ref = controllerRefOf(obj);
    return ref ? [ref.uid] : [];
  });
}

/** The objects in `informer` whose controller reference has `uid`. */
export function ownedBy<T extends StoredObject>(informer: Informer<T>, uid: string): T[] {
  return informer.byIndex(CONTROLLER_UID_INDEX, uid);
}
