/**
 * The StatefulSet controller: pods with stable names `<set>-<ordinal>`, each with its own claims
 * from the volumeClaimTemplates. OrderedReady creates them one at a time in ordinal order, each
 * after the previous is Running and Ready, and removes them in reverse; Parallel does not wait.
 * Template changes are ControllerRevisions; RollingUpdate replaces pods from the highest ordinal
 * down to the partition, OnDelete only recreates pods the user deletes.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import type {
  ControllerRevision,
  PersistentVolumeClaim,
  Pod,
  PodTemplateSpec,
  StatefulSet,
} from '../../client/objects.js';
import {
  CONTROLLER_REVISIONS,
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  STATEFUL_SETS,
} from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { apiClaimOptions, claimObjects } from '../common/ref-manager.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import { indexByControllerUid, indexByNamespaceAndController, inNamespace } from '../common/indexes.js';
import { Expectations } from '../common/expectations.js';
import { computeHash } from '../common/hash.js';
import {
  RevisionHistory,
  equalRevisions,
  nextRevisionNumber,
  revisionsToTruncate,
  templateOfRevision,
  templatePatch,
} from '../common/history.js';
import { watchOwnedPods } from '../common/owned-pods.js';
import { podCondition } from '../common/pod-util.js';
import { StatefulPodControl } from './stateful-pod-control.js';
import {
  createsAtCurrentRevision,
  isFinished,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  ordinalOf,
  podRevision,
  replicaCount,
  startOrdinal,
  statefulPod,
} from './stateful-pods.js';

const COMPONENT = 'statefulset-controller';

type StatefulSetStatus = NonNullable<StatefulSet['status']>;

interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  all: ControllerRevision[];
  collisionCount: number;
}

/** A pod with its ordinal. */
interface Member {
  pod: Pod;
  ordinal: number;
}

export class StatefulSetController extends QueueController {
  readonly name = COMPONENT;
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly podControl: StatefulPodControl;
  private readonly history: RevisionHistory;
  private readonly expectations = new Expectations();

  constructor(ctx: ControllerContext) {
    super(ctx.log(COMPONENT));
    this.client = ctx.client;
    this.sets = ctx.informers.for<StatefulSet>(STATEFUL_SETS);
    this.pods = ctx.informers.for<Pod>(PODS);
    const claims = ctx.informers.for<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
    const revisions = ctx.informers.for<ControllerRevision>(CONTROLLER_REVISIONS);
    indexByNamespaceAndController(this.pods);
    indexByControllerUid(revisions);
    this.events = ctx.events(COMPONENT);
    this.podControl = new StatefulPodControl(ctx.client, this.events, claims);
    this.history = new RevisionHistory(ctx.client, revisions);

    this.sets.addHandler({
      add: (set) => this.queue.add(objectKey(set)),
      update: (_old, set) => this.queue.add(objectKey(set)),
      delete: (set) => this.expectations.forget(objectKey(set)),
    });
    watchOwnedPods({
      pods: this.pods,
      owners: this.sets,
      kind: 'StatefulSet',
      selectorOf: (set) => set.spec?.selector,
      expectations: this.expectations,
      enqueue: (key) => this.queue.add(key),
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.sets.getByKey(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    // Objects from a list carry no apiVersion/kind; owner references and events need them.
    const set: StatefulSet = { ...cached, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    const revs = await this.revisions(set);
    const members = await this.members(set);
    if (!set.metadata.deletionTimestamp && this.expectations.satisfied(key))
      await this.syncPods(set, key, members, revs);
    await this.updateStatus(set, members, revs);
    await this.truncateHistory(set, members, revs);
  }

  /** The set's pods (controlled by it, or orphans it adopts, named `<set>-<n>`), by ordinal. */
  private async members(set: StatefulSet): Promise<Member[]> {
    const pods = await claimObjects(
      inNamespace(this.pods, set.metadata.namespace ?? '').filter((p) => ordinalOf(set, p) !== undefined),
      apiClaimOptions<Pod>(
        this.client,
        STATEFUL_SETS,
        PODS,
        set,
        selectorFromLabelSelector(set.spec?.selector),
      ),
    );
    const out: Member[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(set, pod);
      if (ordinal !== undefined) out.push({ pod, ordinal });
    }
    return out.sort((a, b) => a.ordinal - b.ordinal);
  }

  /**
   * The update revision (the current template's: an equal existing revision, renumbered to be the
   * newest if it is not, or a new one) and the current revision (status.currentRevision's).
   */
  private async revisions(set: StatefulSet): Promise<Revisions> {
    let all = this.history.owned(set);
    let collisionCount = set.status?.collisionCount ?? 0;
    const data = templatePatch(set.spec?.template);
    const next = nextRevisionNumber(all);
    const equal = equalRevisions(all, data).at(-1);
    let update: ControllerRevision;
    if (equal && equal === all.at(-1)) update = equal;
    else if (equal) update = await this.history.renumber(equal, next);
    else {
      const made = await this.history.create(
        set,
        {
          data,
          revision: next,
          labels: set.spec?.template.metadata?.labels ?? {},
          hash: (cc) => computeHash(data, cc),
        },
        collisionCount,
      );
      update = made.revision;
      collisionCount = made.collisionCount;
    }
    all = [...all.filter((r) => r.metadata.name !== update.metadata.name), update];
    const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, all, collisionCount };
  }

  /** One step towards the spec, in upstream's order: replicas, then condemned pods, then updates. */
  private async syncPods(set: StatefulSet, key: string, members: Member[], revs: Revisions): Promise<void> {
    const start = startOrdinal(set);
    const count = replicaCount(set);
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const minReady = set.spec?.minReadySeconds ?? 0;
    const replicas: (Pod | undefined)[] = Array.from({ length: count }, () => undefined);
    const condemned: Member[] = [];
    for (const m of members) {
      if (m.ordinal >= start && m.ordinal < start + count) replicas[m.ordinal - start] = m.pod;
      else condemned.push(m);
    }
    condemned.reverse();
    const templates = new Map<string, PodTemplateSpec>();
    const templateOf = (rev: ControllerRevision) => {
      let t = templates.get(rev.metadata.name);
      if (!t) templates.set(rev.metadata.name, (t = templateOfRevision(rev)));
      return t;
    };

    for (const [i, pod] of replicas.entries()) {
      const ordinal = start + i;
      if (pod && isFinished(pod)) {
        // A failed (or completed) pod is removed, and comes back on a later pass.
        if (!pod.metadata.deletionTimestamp) {
          const { namespace, name } = set.metadata;
          if (pod.status?.phase === 'Failed')
            this.events.event(
              set,
              'Warning',
              'RecreatingFailedPod',
              `StatefulSet ${namespace}/${name} is recreating failed Pod ${pod.metadata.name}`,
            );
          else
            this.events.event(
              set,
              'Normal',
              'RecreatingTerminatedPod',
              `StatefulSet ${namespace}/${name} is recreating terminated Pod ${pod.metadata.name}`,
            );
          await this.deletePod(set, key, pod);
        }
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        const rev = createsAtCurrentRevision(set, ordinal) ? revs.current : revs.update;
        const created = statefulPod(set, templateOf(rev), ordinal, rev.metadata.name);
        this.expectations.raise(key, 1);
        try {
          // Already there means the cache is behind and its add event may have passed: count it.
          if (!(await this.podControl.create(set, created, ordinal))) this.expectations.observedAdd(key);
        } catch (err) {
          this.expectations.observedAdd(key);
          throw err;
        }
        if (monotonic) return;
        continue;
      }
      if (pod.status?.phase === 'Pending' || !pod.status?.phase)
        await this.podControl.createMissingClaims(set, pod, ordinal);
      if (pod.metadata.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && !isRunningAndAvailable(pod, minReady)) {
        this.requeueWhenAvailable(key, pod, minReady);
        return;
      }
      await this.podControl.updateClaimOwners(set, pod, ordinal);
    }

    const firstUnhealthy = condemned.find((m) => !isHealthy(m.pod))?.pod;
    for (const { pod, ordinal } of condemned) {
      if (pod.metadata.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && !isRunningAndAvailable(pod, minReady) && pod !== firstUnhealthy) return;
      await this.podControl.updateClaimOwners(set, pod, ordinal);
      await this.deletePod(set, key, pod);
      if (monotonic) return;
    }

    if (set.spec?.updateStrategy?.type === 'OnDelete') return;
    const partition = Math.max(0, set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
    for (let i = count - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return; // being created
      if (podRevision(pod) !== revs.update.metadata.name && !pod.metadata.deletionTimestamp) {
        await this.deletePod(set, key, pod);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  private async deletePod(set: StatefulSet, key: string, pod: Pod): Promise<void> {
    this.expectations.raise(key, 0, [objectKey(pod)]);
    try {
      await this.podControl.delete(set, pod);
    } catch (err) {
      this.expectations.observedDelete(key, objectKey(pod));
      throw err;
    }
  }

  /** A pod Ready but not yet for minReadySeconds: look again when it will be available. */
  private requeueWhenAvailable(key: string, pod: Pod, minReady: number): void {
    if (minReady <= 0 || !isRunningAndReady(pod)) return;
    const since = Date.parse(String(podCondition(pod, 'Ready')?.lastTransitionTime ?? ''));
    const wait = Number.isNaN(since) ? minReady * 1000 : since + minReady * 1000 - Date.now();
    this.queue.addAfter(key, Math.max(wait, 100));
  }

  private async updateStatus(set: StatefulSet, members: Member[], revs: Revisions): Promise<void> {
    const s = statefulSetStatus(set, members, revs);
    const cur: Partial<StatefulSetStatus> = set.status ?? {};
    const changed = (Object.keys(s) as (keyof StatefulSetStatus)[]).some((k) => s[k] !== cur[k]);
    if (!changed) return;
    try {
      await this.client.patch(
        STATEFUL_SETS,
        set.metadata.namespace,
        set.metadata.name,
        'merge',
        { status: s },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }

  /** Deletes the oldest revisions no pod runs beyond revisionHistoryLimit. */
  private async truncateHistory(set: StatefulSet, members: Member[], revs: Revisions): Promise<void> {
    const live = new Set([revs.current.metadata.name, revs.update.metadata.name]);
    for (const { pod } of members) {
      const r = podRevision(pod);
      if (r) live.add(r);
    }
    const doomed = revisionsToTruncate(
      revs.all,
      (r) => live.has(r.metadata.name),
      set.spec?.revisionHistoryLimit ?? 10,
    );
    for (const r of doomed) await this.history.delete(r);
  }
}

/**
 * The status from the pods the cache holds: counts of pods, ready, available, and at the current
 * and update revisions. A RollingUpdate whose pods are all updated and ready is complete: the
 * update revision becomes the current one.
 */
export function statefulSetStatus(
  set: StatefulSet,
  members: Member[],
  revs: Pick<Revisions, 'current' | 'update' | 'collisionCount'>,
  nowMs = Date.now(),
): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const s: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: revs.current.metadata.name,
    updateRevision: revs.update.metadata.name,
    collisionCount: revs.collisionCount,
  };
  for (const { pod } of members) {
    s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReady, nowMs)) s.availableReplicas!++;
    }
    if (pod.metadata.deletionTimestamp) continue;
    const rev = podRevision(pod);
    if (rev === s.currentRevision) s.currentReplicas!++;
    if (rev === s.updateRevision) s.updatedReplicas!++;
  }
  if (
    (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    s.updatedReplicas === s.replicas &&
    s.readyReplicas === s.replicas
  ) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = s.updateRevision;
  }
  return s;
}
