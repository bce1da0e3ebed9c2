/**
 * Claiming objects for a controller, with the rules of Kubernetes' ControllerRefManager: an object
 * controlled by someone else is ignored; one we control that no longer matches our selector is released
 * (its controller reference removed); an orphan that matches is adopted (a controller reference added),
 * but only after a fresh read of the owner shows that it still exists and is not being deleted.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { LabelSelector } from '../../apimachinery/labels/index.js';
import type { ResourceType, RestClient } from '../../client/rest.js';
import { controllerRefOf, newControllerRef } from './controller-ref.js';

export interface ClaimOptions<T extends StoredObject> {
  owner: StoredObject;
  selector: LabelSelector;
  /** Resolves when adoption is allowed (the owner, read afresh, is alive); throws otherwise. */
  canAdopt: () => Promise<void>;
  adopt: (obj: T) => Promise<void>;
  release: (obj: T) => Promise<void>;
}

/** The objects of `candidates` that belong to the owner after adopting and releasing as needed. */
export async function claimObjects<T extends StoredObject>(
  candidates: T[],
  o: ClaimOptions<T>,
): Promise<T[]> {
  const claimed: T[] = [];
  const errors: string[] = [];
  const ownerDeleting = Boolean(o.owner.metadata.deletionTimestamp);
  let adoptable: Promise<void> | undefined;
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    const matches = o.selector.matches(obj.metadata.labels);
    try {
      if (ref) {
        if (ref.uid !== o.owner.metadata.uid) continue;
        if (matches) claimed.push(obj);
        else if (!ownerDeleting) await ignoreNotFound(o.release(obj));
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
      if (obj.metadata.namespace !== o.owner.metadata.namespace) continue;
      adoptable ??= o.canAdopt();
      await adoptable;
      if (await ignoreNotFound(o.adopt(obj))) claimed.push(obj);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length) throw new Error([...new Set(errors)].join('; '));
  return claimed;
}

/** True when the operation succeeded, false when the object was already gone. */
async function ignoreNotFound(p: Promise<void>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return false;
    throw err;
  }
}

/** Adoption and release as the strategic-merge patches Kubernetes' controllers send (uid as precondition). */
export function ownerRefPatches(client: RestClient, type: ResourceType, owner: StoredObject) {
  return {
    adopt: async (obj: StoredObject): Promise<void> => {
      await client.patch(type, obj.metadata.namespace, obj.metadata.name, 'strategic', {
        metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid },
      });
    },
    release: async (obj: StoredObject): Promise<void> => {
      await client.patch(type, obj.metadata.namespace, obj.metadata.name, 'strategic', {
        metadata: {
          ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }],
          uid: obj.metadata.uid,
        },
      });
    },
  };
}

/**
 * The adoption check: a quorum read of the owner, which must be the same object (uid) and not being
 * deleted, so that a controller never adopts for an owner that is already going away.
 */
export async function recheckOwner(
  client: RestClient,
  type: ResourceType,
  owner: StoredObject,
): Promise<void> {
  const { namespace, name, uid } = owner.metadata;
  const fresh = await client.get(type, namespace, name);
  if (fresh.metadata.uid !== uid)
    throw new Error(
      `original ${type.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`,
    );
  if (fresh.metadata.deletionTimestamp)
    throw new Error(
      `${type.kind} ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
    );
}

/** The claim options for an owner of kind `ownerType` claiming objects of `type` through the API. */
export function apiClaimOptions<T extends StoredObject>(
  client: RestClient,
  ownerType: ResourceType,
  type: ResourceType,
  owner: StoredObject,
  selector: LabelSelector,
): ClaimOptions<T> {
  return {
    owner,
    selector,
    canAdopt: () => recheckOwner(client, ownerType, owner),
    ...ownerRefPatches(client, type, owner),
  };
}
