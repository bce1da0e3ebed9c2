/**
 * Pod events as a pod-owning controller sees them: a pod's change wakes its controlling owner (and
 * counts against that owner's expectations); an orphan wakes every owner whose selector picks it,
 * so that one of them can adopt it.
 */
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels/index.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import type { Pod } from '../../client/objects.js';
import { controllerRefOf } from './controller-ref.js';
import type { Expectations } from './expectations.js';

/** Whether `selector` picks `obj` (an invalid selector picks nothing). */
export function selects(selector: LabelSelectorSpec | undefined, obj: StoredObject): boolean {
  try {
    return selectorFromLabelSelector(selector).matches(obj.metadata.labels ?? {});
  } catch {
    return false;
  }
}

export interface OwnedPodsOptions<O extends StoredObject> {
  pods: Informer<Pod>;
  owners: Informer<O>;
  /** The owner kind, as in owner references (`StatefulSet`). */
  kind: string;
  selectorOf: (owner: O) => LabelSelectorSpec | undefined;
  expectations: Expectations;
  enqueue: (ownerKey: string) => void;
}

export function watchOwnedPods<O extends StoredObject>(o: OwnedPodsOptions<O>): void {
  const ownerKey = (pod: Pod): string | undefined => {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== o.kind) return undefined;
    const owner = o.owners.get(pod.metadata.namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? objectKey(owner) : undefined;
  };
  const wakeAdopters = (pod: Pod) => {
    if (controllerRefOf(pod) || pod.metadata.deletionTimestamp) return;
    for (const owner of o.owners.list())
      if (owner.metadata.namespace === pod.metadata.namespace && selects(o.selectorOf(owner), pod))
        o.enqueue(objectKey(owner));
  };
  o.pods.addHandler({
    add: (pod) => {
      const key = ownerKey(pod);
      if (!key) return wakeAdopters(pod);
      if (pod.metadata.deletionTimestamp) o.expectations.observedDelete(key, objectKey(pod));
      else o.expectations.observedAdd(key);
      o.enqueue(key);
    },
    update: (old, pod) => {
      const oldKey = ownerKey(old);
      const key = ownerKey(pod);
      if (oldKey && oldKey !== key) o.enqueue(oldKey);
      if (!key) return wakeAdopters(pod);
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp)
        o.expectations.observedDelete(key, objectKey(pod));
      o.enqueue(key);
    },
    delete: (pod) => {
      const key = ownerKey(pod);
      if (!key) return;
      o.expectations.observedDelete(key, objectKey(pod));
      o.enqueue(key);
    },
  });
}
