/**
 * Claiming objects for an owner as Kubernetes' ControllerRefManager does: an orphan that matches
 * the owner's selector is adopted (a controller reference is patched in), an owned object that no
 * longer matches is released (its reference removed). Adoption rechecks first that the owner still
 * exists and is not being deleted, so a deleted owner never grabs new dependents.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { OwnerReference, StoredObject } from '../../apimachinery/meta.js';
import type { ResourceType, RestClient } from '../../client/rest.js';
import { controllerRefOf, newControllerRef } from './controller-ref.js';

export interface ClaimOptions<T extends StoredObject> {
  client: RestClient;
  /** The dependents' resource (pods). */
  type: ResourceType;
  owner: StoredObject;
  /** The owner's resource, to recheck it before adopting. */
  ownerType: ResourceType;
  /** Whether an object belongs to the owner (selector and any further rule). */
  matches: (obj: T) => boolean;
}

/**
 * The objects `owner` controls once `owned` (those with its controller reference) and `orphans`
 * (candidates without a controller) are claimed.
 */
export async function claimObjects<T extends StoredObject>(
  o: ClaimOptions<T>,
  owned: T[],
  orphans: T[],
): Promise<T[]> {
  const { client, type, owner } = o;
  const out: T[] = [];
  for (const obj of owned) {
    if (o.matches(obj) || owner.metadata.deletionTimestamp) out.push(obj);
    else await patchRef(client, type, obj, { $patch: 'delete', uid: owner.metadata.uid });
  }
  const adoptable = orphans.filter(
    (obj) =>
      !controllerRefOf(obj) &&
      !obj.metadata.deletionTimestamp &&
      obj.metadata.namespace === owner.metadata.namespace &&
      o.matches(obj),
  );
  if (adoptable.length === 0 || owner.metadata.deletionTimestamp) return out;
  const fresh = await client
    .get(o.ownerType, owner.metadata.namespace, owner.metadata.name)
    .catch((err: unknown) => {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    });
  if (!fresh || fresh.metadata.uid !== owner.metadata.uid || fresh.metadata.deletionTimestamp) return out;
  for (const obj of adoptable) {
    const adopted = await patchRef(client, type, obj, newControllerRef(owner));
    if (adopted) out.push(adopted);
  }
  return out;
}

/** Merges (or deletes) one owner reference; undefined when the object is gone or changed hands. */
async function patchRef<T extends StoredObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  ref: OwnerReference | { $patch: 'delete'; uid: string },
): Promise<T | undefined> {
  try {
    // The uid makes the patch fail if the object was replaced by a namesake meanwhile.
    return await client.patch<T>(type, obj.metadata.namespace, obj.metadata.name, 'strategic', {
      metadata: { ownerReferences: [ref], uid: obj.metadata.uid },
    });
  } catch (err) {
    if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict') || isStatusError(err, 'Invalid'))
      return undefined;
    throw err;
  }
}
