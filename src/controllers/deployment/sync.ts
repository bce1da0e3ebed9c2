/**
 * One sync of one Deployment: finding or creating its new ReplicaSet, resizing ReplicaSets (with the
 * ScalingReplicaSet events), proportional scaling, pruning old revisions, and writing the status and
 * conditions. The rollout strategies (rolling.ts, recreate.ts) are built from these steps.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Deployment, ReplicaSet } from '../../client/objects.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import type { Logger } from '../../util/log.js';
import { controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { canonicalJson, computeHash } from '../common/hash.js';
import { isNamespaceTerminating } from '../common/pod-control.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESSING,
  REASON,
  REPLICA_FAILURE,
  REVISION_ANNOTATION,
  activeReplicaSets,
  byRevision,
  calculateStatus,
  comparableTemplate,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newCondition,
  newRSNewReplicas,
  proportionalSizes,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './deployment-util.js';
import type { DeploymentStatus } from './deployment-util.js';

export interface DeploymentOps {
  client: RestClient;
  events: EventRecorder;
  log: Logger;
  /** Looks at the Deployment again after `ms`. */
  requeueAfter(d: Deployment, ms: number): void;
}

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

const withTypeMeta = <T extends object>(o: T, apiVersion: string, kind: string) => ({
  ...o,
  apiVersion,
  kind,
});

export class DeploymentSync {
  constructor(
    private readonly ops: DeploymentOps,
    /** The Deployment as this sync has last written it. */
    public d: Deployment,
    /** The ReplicaSets the Deployment owns, replaced by what this sync wrote as it goes. */
    private readonly rsList: ReplicaSet[],
  ) {}

  // ---- the new ReplicaSet --------------------------------------------------------------------------

  /** The new ReplicaSet (created when asked and missing) and the old ones, revisions brought up to date. */
  async replicaSetsAndSyncRevision(createIfMissing: boolean): Promise<ReplicaSets> {
    const newFound = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = this.rsList.filter((rs) => rs !== newFound);
    const newRS = await this.newReplicaSet(newFound, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(
    existing: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
    createIfMissing: boolean,
  ): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...copy.spec!, minReadySeconds: minReady };
        if (!minReady) delete copy.spec.minReadySeconds;
        return this.updateReplicaSet(copy);
      }
      const status = structuredClone(d.status ?? {});
      let statusChanged = false;
      if (hasProgressDeadline(d) && !getCondition(status, PROGRESSING)) {
        setCondition(
          status,
          newCondition(
            PROGRESSING,
            'True',
            REASON.foundNewRS,
            `Found new replica set "${copy.metadata.name}"`,
          ),
        );
        statusChanged = true;
      }
      await this.setRevision(copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      if (statusChanged) await this.writeStatus(status);
      return copy;
    }
    if (!createIfMissing) return undefined;

    const hash = computeHash(comparableTemplate(d.spec?.template), d.status?.collisionCount);
    const template = structuredClone(d.spec!.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d)],
        labels: { ...template.metadata.labels },
      },
      spec: {
        replicas: 0,
        ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        selector,
        template,
      },
    } as unknown as ReplicaSet;
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.ops.client.create<ReplicaSet>(REPLICA_SETS, d.metadata.namespace, rs);
    } catch (err) {
      if (isStatusError(err, 'AlreadyExists')) {
        // Our cache may be behind our own create; otherwise another template hashed to the same name.
        const found = await this.ops.client.get<ReplicaSet>(REPLICA_SETS, d.metadata.namespace, name);
        if (
          controllerRefOf(found)?.uid === d.metadata.uid &&
          equalIgnoreHash(found.spec?.template, d.spec?.template)
        ) {
          created = found;
          alreadyExisted = true;
        } else {
          const status = structuredClone(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          this.ops.log.info('hash collision, bumping collisionCount', { deployment: name });
          throw err;
        }
      } else if (isNamespaceTerminating(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition(PROGRESSING, 'False', REASON.failedRSCreate, msg));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.ops.events.event(d, 'Warning', REASON.failedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExisted && replicas > 0)
      this.ops.events.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`,
      );
    await this.setRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      setCondition(
        status,
        newCondition(
          PROGRESSING,
          'True',
          REASON.newRSCreated,
          `Created new replica set "${created.metadata.name}"`,
        ),
      );
      await this.writeStatus(status);
    }
    return created;
  }

  // ---- scaling -------------------------------------------------------------------------------------

  /** Resizes `rs` (and refreshes its replica annotations); whether its size changed, and the stored RS. */
  async scaleReplicaSetAndRecordEvent(
    rs: ReplicaSet,
    size: number,
  ): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (specReplicas(rs) === size) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, size, specReplicas(rs) < size ? 'up' : 'down');
  }

  async scaleReplicaSet(
    rs: ReplicaSet,
    size: number,
    direction: string,
  ): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const resize = specReplicas(rs) !== size;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const from = specReplicas(rs);
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec!, replicas: size };
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.updateReplicaSet(copy);
    if (resize)
      this.ops.events.event(
        this.d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${size}`,
      );
    return { scaled: resize, rs: updated };
  }

  /** A resize of the Deployment (not a template change): spreads it over the active ReplicaSets. */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const single = findActiveOrLatest(newRS, oldRSs);
    if (single) {
      if (specReplicas(single) !== desiredReplicas(d))
        await this.scaleReplicaSetAndRecordEvent(single, desiredReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const { direction, sizes } = proportionalSizes(d, activeReplicaSets([...oldRSs, newRS]));
    for (const [rs, size] of sizes) await this.scaleReplicaSet(rs, size, direction);
  }

  /** Whether the Deployment's replica count differs from what its active ReplicaSets were sized for. */
  async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const v = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return v !== undefined && /^\d+$/.test(v) && Number(v) !== desiredReplicas(this.d);
    });
  }

  /** Scaling and status only: for paused Deployments and resizes. */
  async sync(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanup(oldRSs);
    await this.syncStatus([...oldRSs, newRS], newRS);
  }

  async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(false);
    await this.syncStatus([...oldRSs, newRS], newRS);
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === 2147483647) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const excess = cleanable.length - limit;
    for (const rs of cleanable.slice(0, Math.max(0, excess))) {
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        specReplicas(rs) !== 0 ||
        (rs.metadata.generation ?? 1) > (rs.status?.observedGeneration ?? 0)
      )
        continue;
      this.ops.log.info('deleting old replica set', { replicaSet: rs.metadata.name });
      await this.ops.client
        .delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name, {
          preconditions: { uid: rs.metadata.uid },
        })
        .catch((err: unknown) => {
          if (!isStatusError(err, 'NotFound')) throw err;
        });
    }
  }

  // ---- status --------------------------------------------------------------------------------------

  /** Progressing is Unknown while paused and just after resuming, so time paused never counts. */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === REASON.timedOut) return;
    const pausedCond = cond?.reason === REASON.paused;
    const status = structuredClone(d.status ?? {});
    if (d.spec?.paused && !pausedCond)
      setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused'));
    else if (!d.spec?.paused && pausedCond)
      setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed'));
    else return;
    await this.writeStatus(status);
  }

  async syncStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.d);
    if (canonicalJson(status) !== canonicalJson(this.d.status ?? {})) await this.writeStatus(status);
  }

  /** Status with the Progressing condition judged: complete, progressing, or past its deadline. */
  async syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const d = this.d;
    const status = calculateStatus(allRSs, newRS, d);
    if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
    const current = getCondition(d.status, PROGRESSING);
    const complete =
      (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === REASON.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        setCondition(
          status,
          newCondition(PROGRESSING, 'True', REASON.newRSAvailable, `${subject} has successfully progressed.`),
        );
      } else if (deploymentProgressing(d, status)) {
        // Progress refreshes lastUpdateTime even with the same reason: the deadline counts from it.
        const c = newCondition(PROGRESSING, 'True', REASON.rsUpdated, `${subject} is progressing.`);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, PROGRESSING);
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status)) {
        setCondition(
          status,
          newCondition(PROGRESSING, 'False', REASON.timedOut, `${subject} has timed out progressing.`),
        );
      }
    }
    const failure = this.replicaFailure(allRSs, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, REPLICA_FAILURE);
    if (canonicalJson(status) === canonicalJson(d.status ?? {})) {
      this.requeueStuck(status);
      return;
    }
    await this.writeStatus(status);
  }

  /** The ReplicaFailure of the new ReplicaSet (or of an old one when there is none) as a Deployment condition. */
  private replicaFailure(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) {
    const candidates = newRS ? [newRS] : allRSs;
    for (const rs of candidates) {
      const c = rs?.status?.conditions?.find((x) => x.type === REPLICA_FAILURE);
      if (c)
        return {
          type: REPLICA_FAILURE,
          status: c.status,
          lastUpdateTime: c.lastTransitionTime,
          lastTransitionTime: c.lastTransitionTime,
          reason: c.reason,
          message: c.message,
        };
    }
    return undefined;
  }

  /** A rollout that is not progressing is looked at again when its deadline passes. */
  private requeueStuck(status: DeploymentStatus): void {
    const d = this.d;
    const cond = getCondition(d.status, PROGRESSING);
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === REASON.timedOut) return;
    const from = Date.parse(String(cond.lastUpdateTime ?? ''));
    if (Number.isNaN(from)) return;
    const after = from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - Date.now();
    this.ops.requeueAfter(d, after < 1000 ? 100 : after + 1000);
  }

  // ---- writes --------------------------------------------------------------------------------------

  /** Writes `rs`; later steps of this sync see the stored version, not the cached one. */
  private async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.ops.client.update<ReplicaSet>(
      REPLICA_SETS,
      withTypeMeta(rs, 'apps/v1', 'ReplicaSet'),
    );
    const i = this.rsList.findIndex((x) => x.metadata.uid === updated.metadata.uid);
    if (i >= 0) this.rsList[i] = updated;
    return updated;
  }

  /** Writes `status` (optimistically, on the version this sync holds). */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    const updated = await this.ops.client.update<Deployment>(
      DEPLOYMENTS,
      { ...this.d, status },
      { subresource: 'status' },
    );
    this.d = { ...this.d, status: updated.status ?? {} };
    this.d.metadata = { ...this.d.metadata, resourceVersion: updated.metadata.resourceVersion };
  }

  /** Sets the Deployment's revision annotation to its new ReplicaSet's. */
  private async setRevision(revision: string): Promise<void> {
    if (!revision || this.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const updated = await this.ops.client.patch<Deployment>(
      DEPLOYMENTS,
      this.d.metadata.namespace,
      this.d.metadata.name,
      'merge',
      {
        metadata: {
          annotations: { [REVISION_ANNOTATION]: revision },
          resourceVersion: this.d.metadata.resourceVersion,
        },
      },
    );
    this.d.metadata = {
      ...this.d.metadata,
      annotations: updated.metadata.annotations,
      resourceVersion: updated.metadata.resourceVersion,
    };
  }
}
