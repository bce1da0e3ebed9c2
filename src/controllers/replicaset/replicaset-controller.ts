/**
 * The ReplicaSet controller, and the ReplicationController controller (the same logic over the core/v1
 * kind with a map selector): keeps exactly spec.replicas active pods matching the selector. It adopts
 * matching orphans, releases pods that stopped matching, creates missing pods in slow-start batches
 * and deletes surplus pods least useful first. Expectations make it wait until the informer has seen
 * its own creates and deletes, so a stale cache never makes it act twice.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { selectorFromLabelSelector, selectorFromSet } from '../../apimachinery/labels/index.js';
import type { LabelSelector, LabelSelectorSpec } from '../../apimachinery/labels/index.js';
import type { OwnerReference } from '../../apimachinery/meta.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import type { Pod } from '../../client/objects.js';
import { PODS, REPLICATION_CONTROLLERS, REPLICA_SETS } from '../../client/resources.js';
import type { ResourceType, RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { Expectations } from '../common/expectations.js';
import { BY_CONTROLLER_UID, BY_NAMESPACE, indexByNamespaceAndController } from '../common/indexes.js';
import { PodControl, isNamespaceTerminating } from '../common/pod-control.js';
import { isPodActive } from '../common/pod-util.js';
import { apiClaimOptions, claimObjects } from '../common/ref-manager.js';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from '../common/slow-start.js';
import { podsToDelete } from '../common/pod-ranking.js';
import { calculateReplicaStatus, nextAvailableInMs, sameStatus } from './replica-status.js';
import type { ReplicaOwner, ReplicaStatus } from './replica-status.js';

/** At most this many pods are created or deleted per sync (kube-controller-manager's burstReplicas). */
const BURST_REPLICAS = 500;

/** What differs between the ReplicaSet and ReplicationController controllers. */
export interface ReplicaKind {
  /** The controller's name in logs and as the source of its events. */
  component: string;
  type: ResourceType;
  selector(owner: ReplicaOwner): LabelSelector;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  component: 'replicaset-controller',
  type: REPLICA_SETS,
  selector: (o) => selectorFromLabelSelector(o.spec?.selector as LabelSelectorSpec | undefined),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  component: 'replication-controller',
  type: REPLICATION_CONTROLLERS,
  selector: (o) => selectorFromSet(o.spec?.selector as Record<string, string> | undefined),
};

export class ReplicaSetController extends QueueController {
  readonly name: string;
  private readonly client: RestClient;
  private readonly owners: Informer<ReplicaOwner>;
  private readonly pods: Informer<Pod>;
  private readonly podControl: PodControl;
  private readonly expectations = new Expectations();
  private readonly apiVersion: string;

  constructor(
    ctx: ControllerContext,
    private readonly kind: ReplicaKind,
  ) {
    super(ctx.log(kind.component));
    this.name = kind.component;
    this.client = ctx.client;
    this.apiVersion = kind.type.group ? `${kind.type.group}/${kind.type.version}` : kind.type.version;
    this.podControl = new PodControl(ctx.client, ctx.events(kind.component));
    this.owners = indexByNamespaceAndController(ctx.informers.for<ReplicaOwner>(kind.type));
    this.pods = indexByNamespaceAndController(ctx.informers.for<Pod>(PODS));
    this.owners.addHandler({
      add: (o) => this.queue.add(objectKey(o)),
      update: (_old, o) => this.queue.add(objectKey(o)),
      delete: (o) => {
        this.expectations.forget(objectKey(o));
        this.queue.add(objectKey(o));
      },
    });
    this.pods.addHandler({
      add: (p) => this.podAdded(p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podDeleted(p),
    });
  }

  /** The owner `ref` names, if it is one of ours and still the same object. */
  private resolve(namespace: string | undefined, ref: OwnerReference): ReplicaOwner | undefined {
    if (ref.kind !== this.kind.type.kind) return undefined;
    const owner = this.owners.get(namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  }

  /** Owners whose selector matches an orphan pod's labels. */
  private ownersSelecting(pod: Pod): ReplicaOwner[] {
    return this.owners.byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '').filter((o) => {
      try {
        const sel = this.kind.selector(o);
        return !sel.empty() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerRefOf(pod);
    if (ref) {
      const owner = this.resolve(pod.metadata.namespace, ref);
      if (!owner) return;
      this.expectations.observedAdd(objectKey(owner));
      this.queue.add(objectKey(owner));
      return;
    }
    for (const o of this.ownersSelecting(pod)) this.queue.add(objectKey(o));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels);
    if (pod.metadata.deletionTimestamp) {
      // A graceful deletion: count it as deleted now, so replacements start while it terminates.
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const ref = controllerRefOf(pod);
    const oldRef = controllerRefOf(old);
    const refChanged = ref?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const prev = this.resolve(old.metadata.namespace, oldRef);
      if (prev) this.queue.add(objectKey(prev));
    }
    if (ref) {
      const owner = this.resolve(pod.metadata.namespace, ref);
      if (owner) this.queue.add(objectKey(owner));
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersSelecting(pod)) this.queue.add(objectKey(o));
  }

  private podDeleted(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref) return;
    const owner = this.resolve(pod.metadata.namespace, ref);
    if (!owner) return;
    const key = objectKey(owner);
    this.expectations.observedDelete(key, objectKey(pod));
    this.queue.add(key);
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.owners.getByKey(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    // List items carry no apiVersion/kind; owner references and events need them.
    const owner: ReplicaOwner = { ...cached, apiVersion: this.apiVersion, kind: this.kind.type.kind };
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = this.kind.selector(owner);
    } catch (err) {
      this.log.warn('invalid selector', { key, err });
      return;
    }
    const candidates = this.pods.byIndex(BY_NAMESPACE, owner.metadata.namespace ?? '').filter(isPodActive);
    const pods = await claimObjects(
      candidates,
      apiClaimOptions<Pod>(this.client, this.kind.type, PODS, owner, selector),
    );
    let manageError: Error | undefined;
    if (needsSync && !owner.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, pods);
      } catch (err) {
        manageError = err instanceof Error ? err : new Error(String(err));
      }
    }
    await this.updateStatus(owner, calculateReplicaStatus(owner, pods, manageError));
    if (manageError) throw manageError;
    const wait = nextAvailableInMs(pods, owner.spec?.minReadySeconds ?? 0);
    // A little past the moment, so the pod is available when we look again.
    if (wait !== undefined) this.queue.addAfter(key, wait + 100);
  }

  private async manageReplicas(key: string, owner: ReplicaOwner, pods: Pod[]): Promise<void> {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      const template = owner.spec?.template ?? {};
      this.expectations.expect(key, count);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, async () => {
        try {
          await this.podControl.create(owner, template);
        } catch (err) {
          // Every create fails in a terminating namespace; nothing to report.
          if (!isNamespaceTerminating(err)) throw err;
        }
      });
      // Creates that failed or were never tried will not be observed.
      for (let i = successes; i < count; i++) this.expectations.observedAdd(key);
      if (error) throw error;
    } else if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(owner), count);
      this.expectations.expect(key, 0, victims.map(objectKey));
      const failures: Error[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.podControl.delete(owner, pod);
          } catch (err) {
            this.expectations.observedDelete(key, objectKey(pod));
            if (!isStatusError(err, 'NotFound'))
              failures.push(err instanceof Error ? err : new Error(String(err)));
          }
        }),
      );
      const [first] = failures;
      if (first) throw first;
    }
  }

  /** Active pods of every owner sharing this owner's controller (a Deployment's ReplicaSets). */
  private relatedPods(owner: ReplicaOwner): Pod[] {
    const ref = controllerRefOf(owner);
    if (!ref) return [];
    return this.owners
      .byIndex(BY_CONTROLLER_UID, ref.uid)
      .flatMap((sibling) => this.pods.byIndex(BY_CONTROLLER_UID, sibling.metadata.uid));
  }

  private async updateStatus(owner: ReplicaOwner, status: ReplicaStatus): Promise<void> {
    const generation = owner.metadata.generation ?? 1;
    if (sameStatus(owner.status ?? {}, status) && status.observedGeneration === generation) return;
    let current = owner;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.update(
          this.kind.type,
          { ...current, status: { ...status, observedGeneration: generation } },
          { subresource: 'status' },
        );
        return;
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return;
        if (!isStatusError(err, 'Conflict') || attempt > 0) throw err;
        // Written meanwhile: retry on the fresh object only if its spec is still the one we counted for.
        current = await this.client.get<ReplicaOwner>(
          this.kind.type,
          owner.metadata.namespace,
          owner.metadata.name,
        );
        if ((current.metadata.generation ?? 1) !== generation) throw err;
      }
    }
  }
}
