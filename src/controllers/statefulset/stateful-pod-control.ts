/**
 * Creating and deleting a StatefulSet's pods and claims, with the StatefulSet controller's event
 * texts (`create Pod web-0 in StatefulSet web successful`, `create Claim www-web-0 Pod web-0 in
 * StatefulSet web success`), which differ from the ReplicaSet-style ones of PodControl.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { OwnerReference } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from '../../client/objects.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { claimOwnerRefs, claimsFor } from './stateful-pods.js';

export class StatefulPodControl {
  constructor(
    private readonly client: RestClient,
    private readonly events: EventRecorder,
    private readonly claims: Informer<PersistentVolumeClaim>,
  ) {}

  private podEvent(verb: 'create' | 'delete', set: StatefulSet, pod: Pod, err?: unknown): void {
    const what = `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    const Verb = verb === 'create' ? 'Create' : 'Delete';
    if (err === undefined) this.events.event(set, 'Normal', `Successful${Verb}`, `${what} successful`);
    else
      this.events.event(set, 'Warning', `Failed${Verb}`, `${what} failed error: ${(err as Error).message}`);
  }

  /** Creates the claims the pod of `ordinal` needs that do not exist yet. */
  async createMissingClaims(set: StatefulSet, pod: Pod, ordinal: number): Promise<void> {
    const ns = set.metadata.namespace;
    for (const claim of claimsFor(set, ordinal)) {
      if (this.claims.get(ns, claim.metadata.name)) continue;
      const what = `Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
      const owners = claimOwnerRefs(set, pod, claim, ordinal);
      if (owners) claim.metadata.ownerReferences = owners;
      try {
        await this.client.create(PERSISTENT_VOLUME_CLAIMS, ns, claim);
        this.events.event(set, 'Normal', 'SuccessfulCreate', `create ${what} success`);
      } catch (err) {
        if (isStatusError(err, 'AlreadyExists')) continue; // the cache was behind
        this.events.event(
          set,
          'Warning',
          'FailedCreate',
          `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
        );
        throw err;
      }
    }
  }

  /** Creates the pod after its claims; false when it already exists (a cache that was behind). */
  async create(set: StatefulSet, pod: Pod, ordinal: number): Promise<boolean> {
    try {
      await this.createMissingClaims(set, pod, ordinal);
    } catch (err) {
      this.podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.client.create(PODS, set.metadata.namespace, pod);
    } catch (err) {
      if (isStatusError(err, 'AlreadyExists')) return false;
      this.podEvent('create', set, pod, err);
      throw err;
    }
    this.podEvent('create', set, pod);
    return true;
  }

  async delete(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name, {
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      this.podEvent('delete', set, pod, err);
      throw err;
    }
    this.podEvent('delete', set, pod);
  }

  /** Points the pod's claims' owner references where the retention policy wants them. */
  async updateClaimOwners(set: StatefulSet, pod: Pod, ordinal: number): Promise<void> {
    const ns = set.metadata.namespace;
    for (const want of claimsFor(set, ordinal)) {
      const claim = this.claims.get(ns, want.metadata.name);
      if (!claim) continue;
      const refs: OwnerReference[] | undefined = claimOwnerRefs(set, pod, claim, ordinal);
      if (!refs) continue;
      await this.client.patch(PERSISTENT_VOLUME_CLAIMS, ns, claim.metadata.name, 'merge', {
        metadata: { ownerReferences: refs, resourceVersion: claim.metadata.resourceVersion },
      });
    }
  }
}
