/** Owner references as controllers use them: the one `controller: true` owner, and building new ones. */
import type { KubeObject, OwnerReference, StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';

/** The controlling owner of `obj`, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to `owner`, blocking the owner's foreground deletion as Kubernetes' controllers do. */
export function newControllerRef(owner: StoredObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `obj` is controlled by `owner` (same uid). */
export function isControlledBy(obj: KubeObject, owner: StoredObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

/** Informer index name: objects by the uid of their controlling owner. */
export const BY_CONTROLLER_UID = 'by-controller-uid';

/** Indexes `informer`'s objects by their controller's uid (idempotent; shared informers may get it twice). */
export function indexByController<T extends KubeObject & StoredObject>(informer: Informer<T>): void {
  informer.addIndex(BY_CONTROLLER_UID, (o) => {
    const ref = controllerRefOf(o);
    return ref ? [ref.uid] : [];
  });
}

/** Informer index name: objects without a controller, by namespace (candidates for adoption). */
export const ORPHANS_BY_NAMESPACE = 'orphans-by-namespace';

/** Indexes `informer`'s objects by controller uid, and its orphans by namespace. */
export function indexOwnership<T extends KubeObject & StoredObject>(informer: Informer<T>): void {
  indexByController(informer);
  informer.addIndex(ORPHANS_BY_NAMESPACE, (o) => (controllerRefOf(o) ? [] : [o.metadata.namespace ?? '']));
}
