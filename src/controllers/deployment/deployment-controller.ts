/**
 * The Deployment controller: owns one ReplicaSet per pod template (named `<deployment>-<template hash>`,
 * with a `pod-template-hash` label and selector), rolls from old to new by the RollingUpdate or
 * Recreate strategy, scales proportionally when resized mid-rollout, keeps revisionHistoryLimit old
 * ReplicaSets, and reports progress (and its deadline) in the Deployment's status.
 */
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelector } from '../../apimachinery/labels/index.js';
import type { OwnerReference } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import type { Deployment, Pod, ReplicaSet } from '../../client/objects.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { BY_CONTROLLER_UID, BY_NAMESPACE, indexByNamespaceAndController } from '../common/indexes.js';
import { apiClaimOptions, claimObjects } from '../common/ref-manager.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { DeploymentSync } from './sync.js';
import type { DeploymentOps } from './sync.js';

const COMPONENT = 'deployment-controller';

export class DeploymentController extends QueueController {
  readonly name = COMPONENT;
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly ops: DeploymentOps;

  constructor(ctx: ControllerContext) {
    super(ctx.log(COMPONENT));
    this.client = ctx.client;
    this.events = ctx.events(COMPONENT);
    this.deployments = ctx.informers.for<Deployment>(DEPLOYMENTS);
    this.deployments.addIndex(BY_NAMESPACE, (d) => [d.metadata.namespace ?? '']);
    this.replicaSets = indexByNamespaceAndController(ctx.informers.for<ReplicaSet>(REPLICA_SETS));
    this.pods = indexByNamespaceAndController(ctx.informers.for<Pod>(PODS));
    this.ops = {
      client: this.client,
      events: this.events,
      log: this.log,
      requeueAfter: (d, ms) => this.queue.addAfter(objectKey(d), ms),
    };
    this.deployments.addHandler({
      add: (d) => this.queue.add(objectKey(d)),
      update: (_old, d) => this.queue.add(objectKey(d)),
      delete: (d) => this.queue.add(objectKey(d)),
    });
    this.replicaSets.addHandler({
      add: (rs) => this.replicaSetChanged(undefined, rs),
      update: (old, rs) => this.replicaSetChanged(old, rs),
      delete: (rs) => this.enqueueOwner(rs.metadata.namespace, controllerRefOf(rs)),
    });
    this.pods.addHandler({ delete: (pod) => this.podDeleted(pod) });
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(namespace: string | undefined, ref: OwnerReference | undefined): void {
    const d = this.resolve(namespace, ref);
    if (d) this.queue.add(objectKey(d));
  }

  /** A ReplicaSet appeared or changed: its owner (old and new) looks again, or for an orphan every Deployment that could adopt it. */
  private replicaSetChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const ref = controllerRefOf(rs);
    const oldRef = old && controllerRefOf(old);
    if (oldRef && oldRef.uid !== ref?.uid) this.enqueueOwner(old.metadata.namespace, oldRef);
    if (ref) return this.enqueueOwner(rs.metadata.namespace, ref);
    const labelsChanged = JSON.stringify(old?.metadata.labels) !== JSON.stringify(rs.metadata.labels);
    if (!old || labelsChanged || oldRef)
      for (const d of this.deploymentsSelecting(rs)) this.queue.add(objectKey(d));
  }

  private deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    return this.deployments.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '').filter((d) => {
      try {
        const sel = selectorFromLabelSelector(d.spec?.selector);
        return !sel.empty() && sel.matches(rs.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  /** A Recreate rollout waits for old pods to be gone: each deletion is a reason to look again. */
  private podDeleted(pod: Pod): void {
    const rsRef = controllerRefOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d?.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.deployments.getByKey(key);
    if (!cached) return;
    // List items carry no apiVersion/kind; owner references and events need them.
    const d: Deployment = { ...structuredClone(cached), apiVersion: 'apps/v1', kind: 'Deployment' };
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch (err) {
      this.log.warn('invalid selector', { key, err });
      return;
    }
    if (selector.empty()) {
      this.events.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1))
        await this.client.update(
          DEPLOYMENTS,
          { ...d, status: { ...d.status, observedGeneration: d.metadata.generation } },
          { subresource: 'status' },
        );
      return;
    }
    const rsList = await claimObjects(
      this.replicaSets.byIndex(BY_NAMESPACE, d.metadata.namespace ?? ''),
      apiClaimOptions<ReplicaSet>(this.client, DEPLOYMENTS, REPLICA_SETS, d, selector),
    );
    const s = new DeploymentSync(this.ops, d, rsList);
    if (d.metadata.deletionTimestamp) return s.syncStatusOnly();
    await s.checkPausedConditions();
    if (s.d.spec?.paused) return s.sync();
    if (await s.isScalingEvent()) return s.sync();
    if (s.d.spec?.strategy?.type === 'Recreate')
      return rolloutRecreate(s, this.podsByReplicaSet(rsList, selector));
    return rolloutRolling(s);
  }

  /** Every pod (terminating ones too) of the given ReplicaSets that the Deployment's selector matches. */
  private podsByReplicaSet(rsList: ReplicaSet[], selector: LabelSelector): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const rs of rsList)
      out.set(
        rs.metadata.uid,
        this.pods
          .byIndex(BY_CONTROLLER_UID, rs.metadata.uid)
          .filter((p) => selector.matches(p.metadata.labels)),
      );
    return out;
  }
}
