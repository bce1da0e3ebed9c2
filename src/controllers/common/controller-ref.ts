/** Owner references as controllers use them: the one `controller: true` owner, and building new ones. */
import type { KubeObject, OwnerReference, StoredObject } from '../../apimachinery/meta.js';

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
