/**
 * The Job controller: runs a Job's pods to completion as kube-controller-manager's does.
 *
 * Every pod it creates carries the `batch.kubernetes.io/job-tracking` finalizer, so a finished pod
 * cannot vanish before it is counted: a finished pod's uid is first written to
 * `status.uncountedTerminatedPods`, then the finalizer is removed, then the uid moves into the
 * `succeeded`/`failed` counters (Indexed Jobs record `completedIndexes` instead). Terminal
 * conditions are set in two steps, as Kubernetes 1.31+ does: the interim `SuccessCriteriaMet` or
 * `FailureTarget` first, then `Complete`/`Failed` once no pod is left terminating.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import type { Job, Pod, PodTemplateSpec } from '../../client/objects.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { Expectations } from '../common/expectations.js';
import { indexByControllerUid, ownedBy } from '../common/indexes.js';
import { PodControl } from '../common/pod-control.js';
import type { PodOverrides } from '../common/pod-control.js';
import { isPodActive, isPodReady } from '../common/pod-util.js';
import { IndexSet } from './indexes.js';
import {
  absoluteFailureCount,
  activePodsForRemoval,
  hasBackoffLimitPerIndex,
  isIndexFailed,
  isIndexed,
  isPodFailed,
  isPodTerminating,
  isSuspended,
  lastFailedPodPerIndex,
  nextIndexFailureCounts,
  onlyReplaceFailedPods,
  pastBackoffLimitOnFailure,
  validIndexOf,
} from './job-pods.js';
import {
  COMPLETION_INDEX_ENV,
  COMPLETION_INDEX_KEY,
  INDEX_FAILURE_COUNT_KEY,
  INDEX_IGNORED_FAILURE_COUNT_KEY,
  JOB_TRACKING_FINALIZER,
  completionIndexOf,
  ensureCondition,
  findCondition,
  hasTrackingFinalizer,
  isJobFinished,
  newCondition,
  podFinishedAt,
} from './job-util.js';
import type { JobCondition, JobConditionType } from './job-util.js';
import { PodBackoffStore, podFailureBackoffBaseMs, remainingBackoffMs } from './pod-backoff.js';
import type { BackoffRecord } from './pod-backoff.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './policies.js';

/** Keeps `status.uncountedTerminatedPods` small and stops one big Job from starving the others. */
const MAX_UNCOUNTED_PODS = 500;
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
/** generateName prefixes are cut to this length so the random suffix still fits in 63 characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

type JobStatus = NonNullable<Job['status']>;

interface SyncContext {
  key: string;
  job: Job;
  pods: Pod[];
  active: Pod[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** Pods whose finalizer removal was sent but not yet seen in the cache. */
  finalizerRemovalPending: Set<string>;
  finished?: JobCondition;
  prevSucceededIndexes: IndexSet;
  succeededIndexes: IndexSet;
  failedIndexes?: IndexSet;
  backoffRecord: BackoffRecord;
}

/** The terminal condition that follows an interim one (FailureTarget, SuccessCriteriaMet), same reason and message. */
function finalCondition(interim: JobCondition, type: 'Complete' | 'Failed'): JobCondition {
  return newCondition(type, 'True', interim.reason ?? '', interim.message ?? '', now());
}

function trueCondition(job: Job, type: JobConditionType): JobCondition | undefined {
  const c = findCondition(job, type);
  return c?.status === 'True' ? c : undefined;
}

export class JobController extends QueueController {
  readonly name = 'job-controller';
  private readonly client: RestClient;
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly events: EventRecorder;
  private readonly podControl: PodControl;
  private readonly expectations = new Expectations();
  private readonly finalizerRemovals = new Map<string, Set<string>>();
  private readonly backoff = new PodBackoffStore();
  /** Pods holding the tracking finalizer whose Job is gone. */
  private readonly orphans = new WorkQueue<string>();
  private readonly backoffBaseMs = podFailureBackoffBaseMs();
  /**
   * The Job as this controller last wrote it. A sync started by a pod event can run before the Job
   * informer has seen that write; counting from the older status would miss pods whose finalizer
   * is already gone and start replacements for them.
   */
  private readonly written = new Map<string, Job>();

  constructor(ctx: ControllerContext) {
    super(ctx.log('job-controller'));
    this.client = ctx.client;
    this.events = ctx.events('job-controller');
    this.podControl = new PodControl(ctx.client, this.events);
    this.jobs = ctx.informers.for<Job>(JOBS);
    this.pods = ctx.informers.for<Pod>(PODS);
    indexByControllerUid(this.pods);
    this.jobs.addHandler({
      add: (j) => this.queue.add(objectKey(j)),
      update: (_old, j) => this.queue.add(objectKey(j)),
      delete: (j) => this.jobDeleted(j),
    });
    this.pods.addHandler({
      add: (p) => this.podAdded(p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podDeleting(p, true),
    });
  }

  override async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.orphans.shutDown(), { once: true });
    await Promise.all([
      super.run(signal),
      runWorkers(
        this.orphans,
        1,
        (key) => this.releaseOrphan(key),
        (key, err) => this.log.warn('removing the tracking finalizer of an orphan pod failed', { key, err }),
      ),
    ]);
  }

  // ---- informer events -------------------------------------------------------------------------

  private jobOf(namespace: string | undefined, pod: { metadata: Pod['metadata'] }): Job | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(namespace, ref.name);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleting(pod, false);
    const job = this.jobOf(pod.metadata.namespace, pod);
    if (job) {
      const key = objectKey(job);
      this.expectations.observedAdd(key);
      this.queue.add(key);
    } else if (hasTrackingFinalizer(pod)) this.orphans.add(objectKey(pod));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) return this.podDeleting(pod, false);
    const released = !hasTrackingFinalizer(pod);
    const oldJob = this.jobOf(old.metadata.namespace, old);
    const job = this.jobOf(pod.metadata.namespace, pod);
    for (const j of new Set([oldJob, job])) {
      if (!j) continue;
      const key = objectKey(j);
      if (released) this.finalizerRemovals.get(key)?.delete(pod.metadata.uid);
      this.queue.add(key);
    }
    if (!job && !released) this.orphans.add(objectKey(pod));
  }

  /** A pod is being deleted (deletionTimestamp set) or, when `final`, is gone from the cache. */
  private podDeleting(pod: Pod, final: boolean): void {
    const job = this.jobOf(pod.metadata.namespace, pod);
    if (!job) {
      if (hasTrackingFinalizer(pod) && !final) this.orphans.add(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.expectations.observedDelete(key, objectKey(pod));
    if (final) this.finalizerRemovals.get(key)?.delete(pod.metadata.uid);
    this.queue.add(key);
  }

  private jobDeleted(job: Job): void {
    const key = objectKey(job);
    this.written.delete(key);
    this.expectations.forget(key);
    this.finalizerRemovals.delete(key);
    this.backoff.delete(key);
    for (const p of ownedBy(this.pods, job.metadata.uid))
      if (hasTrackingFinalizer(p)) this.orphans.add(objectKey(p));
  }

  /** Removes the tracking finalizer of a pod whose Job no longer exists (checked with the API server). */
  private async releaseOrphan(podKey: string): Promise<void> {
    const pod = this.pods.getByKey(podKey);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref?.kind === 'Job') {
      if (this.jobOf(pod.metadata.namespace, pod)) return;
      try {
        const fresh = await this.client.get<Job>(JOBS, pod.metadata.namespace, ref.name);
        if (fresh.metadata.uid === ref.uid) return;
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    }
    await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    if (!hasTrackingFinalizer(pod)) return;
    try {
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name, 'strategic', {
        metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }

  // ---- sync ------------------------------------------------------------------------------------

  /** The cached Job, or the one this controller wrote last if the cache has not caught up with it. */
  private latest(key: string): Job | undefined {
    const cached = this.jobs.getByKey(key);
    const mine = this.written.get(key);
    if (cached && mine?.metadata.uid === cached.metadata.uid && isNewer(mine, cached)) return mine;
    this.written.delete(key);
    return cached;
  }

  protected async reconcile(key: string): Promise<void> {
    const shared = this.latest(key);
    if (!shared) {
      this.expectations.forget(key);
      this.finalizerRemovals.delete(key);
      this.backoff.delete(key);
      return;
    }
    if (shared.spec?.managedBy !== undefined && shared.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    if (isJobFinished(shared)) {
      this.backoff.delete(key);
      return;
    }
    const mode = shared.spec?.completionMode;
    if (mode !== undefined && mode !== 'Indexed' && mode !== 'NonIndexed') {
      this.events.event(
        shared,
        'Warning',
        'UnknownCompletionMode',
        'Skipped Job sync because completion mode is unknown',
      );
      return;
    }
    const job = structuredClone(shared);
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const satisfied = this.expectations.satisfied(key);
    const pods = ownedBy(this.pods, job.metadata.uid);
    const active = pods.filter(isPodActive);
    const ctx: SyncContext = {
      key,
      job,
      pods,
      active,
      ready: active.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      succeeded: 0,
      failed: 0,
      uncounted: {
        succeeded: new Set(status.uncountedTerminatedPods.succeeded ?? []),
        failed: new Set(status.uncountedTerminatedPods.failed ?? []),
      },
      finalizerRemovalPending: new Set(this.finalizerRemovals.get(key) ?? []),
      prevSucceededIndexes: IndexSet.empty(),
      succeededIndexes: IndexSet.empty(),
      backoffRecord: { failuresAfterLastSuccess: 0 },
    };
    const { succeeded: newSucceeded, failed: newFailed } = this.newlyFinishedPods(ctx);
    const policy = job.spec?.podFailurePolicy;
    ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncounted.succeeded.size;
    ctx.failed =
      (status.failed ?? 0) +
      newFailed.filter((p) => matchPodFailurePolicy(policy, p).countFailed).length +
      ctx.uncounted.failed.size;

    const startTimeBefore = status.startTime;
    if (!status.startTime && !isSuspended(job)) status.startTime = now();
    ctx.backoffRecord = this.backoff.next(key, newSucceeded, newFailed);

    this.judgeFinished(ctx);

    let activeCount = active.length;
    let suspendChanged = false;
    let manageError: Error | undefined;
    if (ctx.finished) {
      const r = await this.deletePods(job, active, { keepFinalizer: true });
      if (r.deleted !== active.length || !satisfied) ctx.finished = undefined;
      activeCount -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        try {
          activeCount = await this.manageJob(ctx);
        } catch (err) {
          manageError = asError(err);
        }
        managed = true;
      }
      const completions = job.spec?.completions;
      const complete =
        activeCount === 0 &&
        (completions === undefined || completions === null
          ? ctx.succeeded > 0
          : ctx.succeeded >= completions);
      if (complete)
        ctx.finished = newCondition(
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
          now(),
        );
      else if (managed) suspendChanged = this.syncSuspended(job);
    }

    const needsFlush =
      suspendChanged ||
      status.startTime !== startTimeBefore ||
      activeCount !== (status.active ?? 0) ||
      ctx.ready !== status.ready ||
      ctx.terminating !== status.terminating;
    status.active = activeCount;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await this.trackStatus(ctx, needsFlush);
    if (manageError) throw manageError;
  }

  /** Finished pods (still holding the finalizer) not yet in the status. */
  private newlyFinishedPods(ctx: SyncContext): { succeeded: Pod[]; failed: Pod[] } {
    const succeeded: Pod[] = [];
    const failed: Pod[] = [];
    for (const p of ctx.pods) {
      const uid = p.metadata.uid;
      if (!hasTrackingFinalizer(p) || ctx.finalizerRemovalPending.has(uid)) continue;
      if (isIndexed(ctx.job) && validIndexOf(p, ctx.job) === undefined) continue;
      if (p.status?.phase === 'Succeeded') {
        if (!ctx.uncounted.succeeded.has(uid)) succeeded.push(p);
      } else if (isPodFailed(p, ctx.job) && !ctx.uncounted.failed.has(uid)) failed.push(p);
    }
    return { succeeded, failed };
  }

  /** Decides whether this sync ends the Job (ctx.finished), in Kubernetes' order of precedence. */
  private judgeFinished(ctx: SyncContext): void {
    const job = ctx.job;
    const spec = job.spec!;
    const at = now();
    const failure = (reason: string, message: string) =>
      newCondition('FailureTarget', 'True', reason, message, at);
    ctx.finished = trueCondition(job, 'SuccessCriteriaMet');
    if (!ctx.finished) {
      const target = trueCondition(job, 'FailureTarget');
      if (target) ctx.finished = finalCondition(target, 'Failed');
      else {
        const message = this.failJobMessage(ctx);
        if (message) ctx.finished = failure('PodFailurePolicy', message);
      }
    }
    if (!ctx.finished) {
      if (ctx.failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods))
        ctx.finished = failure('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      else if (this.pastActiveDeadline(job))
        ctx.finished = failure('DeadlineExceeded', 'Job was active longer than specified deadline');
      else if (spec.activeDeadlineSeconds !== undefined && !isSuspended(job) && job.status?.startTime)
        this.queue.addAfter(
          ctx.key,
          spec.activeDeadlineSeconds * 1000 - (Date.now() - Date.parse(job.status.startTime)),
        );
    }
    if (!isIndexed(job)) return;
    const completions = spec.completions ?? 0;
    ctx.prevSucceededIndexes = IndexSet.parse(job.status?.completedIndexes, completions);
    ctx.succeededIndexes = ctx.prevSucceededIndexes.with(
      ctx.pods
        .filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p))
        .flatMap((p) => validIndexOf(p, job) ?? []),
    );
    ctx.succeeded = ctx.succeededIndexes.total;
    if (hasBackoffLimitPerIndex(job)) {
      ctx.failedIndexes = IndexSet.parse(job.status?.failedIndexes, completions).with(
        ctx.pods
          .filter((p) => hasTrackingFinalizer(p) && isIndexFailed(job, p))
          .flatMap((p) => validIndexOf(p, job) ?? []),
      );
      const failed = ctx.failedIndexes.total;
      if (!ctx.finished) {
        if (spec.maxFailedIndexes !== undefined && failed > spec.maxFailedIndexes)
          ctx.finished = failure(
            'MaxFailedIndexesExceeded',
            'Job has exceeded the specified maximal number of failed indexes',
          );
        else if (failed > 0 && failed + ctx.succeededIndexes.total >= completions)
          ctx.finished = failure('FailedIndexes', 'Job has failed indexes');
      }
    }
    if (!ctx.finished) {
      const message = matchSuccessPolicy(spec.successPolicy, completions, ctx.succeededIndexes);
      if (message) ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', message, at);
    }
  }

  private failJobMessage(ctx: SyncContext): string | undefined {
    const policy = ctx.job.spec?.podFailurePolicy;
    if (!policy) return undefined;
    for (const p of ctx.pods) {
      if (!isPodFailed(p, ctx.job)) continue;
      const m = matchPodFailurePolicy(policy, p).failJobMessage;
      if (m) return m;
    }
    return undefined;
  }

  private pastActiveDeadline(job: Job): boolean {
    const limit = job.spec?.activeDeadlineSeconds;
    const start = job.status?.startTime;
    if (limit === undefined || !start || isSuspended(job)) return false;
    return Date.now() - Date.parse(start) >= limit * 1000;
  }

  /** The Suspended condition follows spec.suspend; resuming restarts the activeDeadlineSeconds clock. */
  private syncSuspended(job: Job): boolean {
    const status = job.status!;
    const conditions = (status.conditions ??= []);
    const at = now();
    if (isSuspended(job)) {
      const changed = ensureCondition(
        conditions,
        { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' },
        at,
      );
      if (changed) this.events.event(job, 'Normal', 'Suspended', 'Job suspended');
      return changed;
    }
    const changed = ensureCondition(
      conditions,
      { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' },
      at,
    );
    if (changed) {
      this.events.event(job, 'Normal', 'Resumed', 'Job resumed');
      status.startTime = at;
    }
    return changed;
  }

  // ---- pods --------------------------------------------------------------------------------------

  /** Creates or deletes pods towards the wanted number of active pods; the active count after. */
  private async manageJob(ctx: SyncContext): Promise<number> {
    const { job, key } = ctx;
    const spec = job.spec!;
    const active = ctx.active.length;
    if (isSuspended(job))
      return active - (await this.removePods(ctx, activePodsForRemoval(job, ctx.active, active)));

    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions ?? undefined;
    const want =
      completions === undefined
        ? ctx.succeeded > 0
          ? active
          : parallelism
        : Math.max(0, Math.min(completions - ctx.succeeded, parallelism));
    // Deleting and creating never happen in the same sync; deleting wins.
    const surplus = activePodsForRemoval(job, ctx.active, Math.max(0, active - want));
    if (surplus.length)
      return active - (await this.removePods(ctx, surplus.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC)));

    let diff = want - (onlyReplaceFailedPods(job) ? ctx.terminating : 0) - active;
    if (diff <= 0) return active;
    const lastFailed = hasBackoffLimitPerIndex(job) ? lastFailedPodPerIndex(job, ctx.pods) : undefined;
    if (!lastFailed) {
      const wait = remainingBackoffMs(
        ctx.backoffRecord.failuresAfterLastSuccess,
        ctx.backoffRecord.lastFailureTime,
        Date.now(),
        this.backoffBaseMs,
      );
      if (wait > 0) {
        this.queue.addAfter(key, wait);
        return active;
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (isIndexed(job)) {
      indexes = this.firstPendingIndexes(ctx, diff);
      if (lastFailed) {
        const waits = indexes.map((ix) => this.indexBackoffMs(lastFailed.get(ix)));
        const ready = indexes.filter((_, i) => waits[i] === 0);
        if (!ready.length && waits.length) {
          this.queue.addAfter(key, Math.min(...waits));
          return active;
        }
        indexes = ready;
      }
      diff = indexes.length;
    }
    if (diff <= 0) return active;
    return active + (await this.createPods(ctx, diff, indexes, lastFailed));
  }

  private indexBackoffMs(lastFailed: Pod | undefined): number {
    if (!lastFailed) return 0;
    return remainingBackoffMs(
      absoluteFailureCount(lastFailed) + 1,
      podFinishedAt(lastFailed),
      Date.now(),
      this.backoffBaseMs,
    );
  }

  /** Indexes below completions that are neither succeeded, failed nor held by a pod. */
  private firstPendingIndexes(ctx: SyncContext, count: number): number[] {
    const indexOf = (p: Pod) => completionIndexOf(p) ?? [];
    let taken = ctx.succeededIndexes.with(ctx.active.flatMap(indexOf));
    if (onlyReplaceFailedPods(ctx.job))
      taken = taken.with(ctx.pods.filter(isPodTerminating).flatMap(indexOf));
    if (ctx.failedIndexes) taken = taken.merge(ctx.failedIndexes);
    return taken.firstMissing(count, ctx.job.spec?.completions ?? 0);
  }

  /** Deletes surplus (or, when suspended, all) active pods without counting them; how many went. */
  private async removePods(ctx: SyncContext, pods: Pod[]): Promise<number> {
    if (!pods.length) return 0;
    this.expectations.expect(ctx.key, 0, pods.map(objectKey));
    const r = await this.deletePods(ctx.job, pods, { keepFinalizer: false });
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    if (r.error) throw r.error;
    return r.deleted;
  }

  /**
   * Deletes pods. Surplus pods lose the finalizer first (they are not counted); pods of a finishing
   * Job keep it so the sync after counts them as failed.
   */
  private async deletePods(
    job: Job,
    pods: Pod[],
    opts: { keepFinalizer: boolean },
  ): Promise<{ deleted: number; deletedReady: number; error?: Error }> {
    const key = objectKey(job);
    let deleted = 0;
    let deletedReady = 0;
    let error: Error | undefined;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          if (!opts.keepFinalizer) await this.removeFinalizer(pod);
          await this.podControl.delete(job, pod);
        } catch (err) {
          if (!opts.keepFinalizer) this.expectations.observedDelete(key, objectKey(pod));
          if (!isStatusError(err, 'NotFound')) {
            error ??= asError(err);
            return;
          }
        }
        deleted++;
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deleted, deletedReady, error };
  }

  /** Creates `count` pods in slow-start batches (1, 2, 4, ...); how many were created. */
  private async createPods(
    ctx: SyncContext,
    count: number,
    indexes: number[] | undefined,
    lastFailed: Map<number, Pod> | undefined,
  ): Promise<number> {
    const { job, key } = ctx;
    this.expectations.expect(key, count);
    const template = this.podTemplate(job);
    const pending = indexes ? [...indexes] : undefined;
    let created = 0;
    let firstError: Error | undefined;
    for (let left = count, batch = Math.min(count, 1); left > 0; batch = Math.min(2 * batch, left)) {
      const results = await Promise.allSettled(
        Array.from({ length: batch }, () => {
          const ix = pending?.shift();
          return this.podControl.create(job, template, this.indexOverrides(job, ix, lastFailed));
        }),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const f of failures) {
        this.expectations.observedAdd(key);
        firstError ??= asError(f.reason);
      }
      created += batch - failures.length;
      left -= batch;
      if (failures.length) {
        // The rest would most likely fail the same way: they are left to a later sync.
        for (let i = 0; i < left; i++) this.expectations.observedAdd(key);
        break;
      }
    }
    if (firstError) {
      this.log.warn('creating pods failed', { job: key, err: firstError });
      throw firstError;
    }
    return created;
  }

  /** The Job's pod template with the tracking finalizer and, for Indexed Jobs, JOB_COMPLETION_INDEX. */
  private podTemplate(job: Job): PodTemplateSpec {
    const template = structuredClone(job.spec!.template);
    const meta = (template.metadata ??= {});
    if (!meta.finalizers?.includes(JOB_TRACKING_FINALIZER))
      meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
    if (isIndexed(job) && template.spec) {
      for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
        if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
        (c.env ??= []).push({
          name: COMPLETION_INDEX_ENV,
          valueFrom: {
            fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${COMPLETION_INDEX_KEY}']` },
          },
        });
      }
    }
    return template;
  }

  private indexOverrides(
    job: Job,
    ix: number | undefined,
    lastFailed: Map<number, Pod> | undefined,
  ): PodOverrides {
    if (ix === undefined) return {};
    const name = job.metadata.name;
    const suffix = `-${ix}-`;
    const annotations: Record<string, string> = { [COMPLETION_INDEX_KEY]: String(ix) };
    if (lastFailed) {
      const counts = nextIndexFailureCounts(job, lastFailed.get(ix));
      annotations[INDEX_FAILURE_COUNT_KEY] = String(counts.counted);
      if (counts.ignored > 0) annotations[INDEX_IGNORED_FAILURE_COUNT_KEY] = String(counts.ignored);
    }
    return {
      generateName: name.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix,
      labels: { [COMPLETION_INDEX_KEY]: String(ix) },
      annotations,
      mutateSpec: (spec) => {
        spec.hostname = `${name}-${ix}`;
      },
    };
  }

  // ---- status ------------------------------------------------------------------------------------

  /**
   * Accounts for finished pods (uncounted uids first, then finalizer removal, then counters), adds
   * the interim and final conditions, and writes the status when anything changed.
   */
  private async trackStatus(ctx: SyncContext, needsFlush: boolean): Promise<void> {
    let job = ctx.job;
    const indexed = isIndexed(job);
    const pods = indexed
      ? [...ctx.pods].sort((a, b) => (completionIndexOf(a) ?? -1) - (completionIndexOf(b) ?? -1))
      : ctx.pods;
    const holding = new Set(
      pods
        .filter((p) => hasTrackingFinalizer(p) && !ctx.finalizerRemovalPending.has(p.metadata.uid))
        .map((p) => p.metadata.uid),
    );
    if (countReleased(job.status!, holding)) needsFlush = true;
    const uncounted = job.status!.uncountedTerminatedPods!;
    const newSucceededIndexes: number[] = [];
    const toRelease: Pod[] = [];
    let reachedMax = false;
    for (const pod of pods) {
      const uid = pod.metadata.uid;
      if (!hasTrackingFinalizer(pod) || ctx.finalizerRemovalPending.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      if (!this.canRelease(ctx, pod, failed)) continue;
      toRelease.push(pod);
      const ix = validIndexOf(pod, job);
      if (pod.status?.phase === 'Succeeded' && !ctx.uncounted.failed.has(uid)) {
        if (indexed) {
          if (ix !== undefined && !ctx.prevSucceededIndexes.has(ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncounted.succeeded.has(uid)) {
          (uncounted.succeeded ??= []).push(uid);
          needsFlush = true;
        }
      } else if (failed || (ctx.finished && ctx.finished.type !== 'SuccessCriteriaMet')) {
        // Once the Job is finishing, every pod that did not succeed counts as failed.
        if (
          !ctx.uncounted.failed.has(uid) &&
          (!indexed || ix !== undefined) &&
          matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed
        ) {
          (uncounted.failed ??= []).push(uid);
          needsFlush = true;
        }
      }
      const pending =
        newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0);
      if (pending >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      ctx.succeededIndexes = ctx.succeededIndexes.with(newSucceededIndexes);
      const completed = ctx.succeededIndexes.toString();
      if (completed !== (job.status!.completedIndexes ?? '')) needsFlush = true;
      job.status!.succeeded = ctx.succeededIndexes.total;
      job.status!.completedIndexes = completed;
      const failedIndexes = ctx.failedIndexes?.toString();
      if (failedIndexes !== job.status!.failedIndexes) {
        job.status!.failedIndexes = failedIndexes;
        needsFlush = true;
      }
    }
    const conditions = (job.status!.conditions ??= []);
    if (ctx.finished?.type === 'FailureTarget') {
      conditions.push(ctx.finished);
      needsFlush = true;
      ctx.finished = finalCondition(ctx.finished, 'Failed');
    }
    if (ctx.finished?.type === 'SuccessCriteriaMet') {
      if (!trueCondition(job, 'SuccessCriteriaMet')) {
        conditions.push(ctx.finished);
        needsFlush = true;
      }
      ctx.finished = finalCondition(ctx.finished, 'Complete');
    }

    if (needsFlush) {
      job = ctx.job = await this.writeStatus(job);
      this.backoff.set(ctx.key, ctx.backoffRecord);
      needsFlush = false;
    }
    const releaseError = await this.releasePods(ctx.key, toRelease, holding);
    if (countReleased(job.status!, holding)) needsFlush = true;
    if (releaseError) {
      if (needsFlush) ctx.job = await this.writeStatus(job);
      throw releaseError;
    }
    const finishedNow = !reachedMax && this.enactFinished(ctx);
    if (finishedNow || needsFlush) {
      job = ctx.job = await this.writeStatus(job);
      if (finishedNow) this.recordFinished(job, ctx.finished!);
    }
  }

  /** Whether a pod's finalizer may go now: the Job is ending or being deleted, or the pod is done. */
  private canRelease(ctx: SyncContext, pod: Pod, failed: boolean): boolean {
    return (
      Boolean(ctx.job.metadata.deletionTimestamp) ||
      ctx.finished !== undefined ||
      pod.status?.phase === 'Succeeded' ||
      failed
    );
  }

  /** Removes the tracking finalizer from `pods`; removed ones leave `holding`. The first error. */
  private async releasePods(key: string, pods: Pod[], holding: Set<string>): Promise<Error | undefined> {
    if (!pods.length) return undefined;
    let pending = this.finalizerRemovals.get(key);
    if (!pending) this.finalizerRemovals.set(key, (pending = new Set()));
    for (const p of pods) pending.add(p.metadata.uid);
    let error: Error | undefined;
    await Promise.all(
      pods.map(async (p) => {
        try {
          await this.removeFinalizer(p);
          holding.delete(p.metadata.uid);
        } catch (err) {
          pending.delete(p.metadata.uid);
          error ??= asError(err);
        }
      }),
    );
    return error;
  }

  /** Adds Complete/Failed once every finished pod is counted and none is still terminating. */
  private enactFinished(ctx: SyncContext): boolean {
    const finished = ctx.finished;
    const status = ctx.job.status!;
    if (!finished) return false;
    const u = status.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (ctx.terminating > 0) return false;
    const at = now();
    ensureCondition((status.conditions ??= []), finished, at);
    if (finished.type === 'Complete') status.completionTime = at;
    return true;
  }

  private recordFinished(job: Job, finished: JobCondition): void {
    if (finished.type === 'Complete') {
      const completions = job.spec?.completions;
      if (completions !== undefined && (job.status?.succeeded ?? 0) > completions)
        this.events.event(
          job,
          'Warning',
          'TooManySucceededPods',
          'Too many succeeded pods running after completion count reached',
        );
      this.events.event(job, 'Normal', 'Completed', 'Job completed');
    } else this.events.event(job, 'Warning', finished.reason ?? '', finished.message ?? '');
  }

  private async writeStatus(job: Job): Promise<Job> {
    const u = job.status?.uncountedTerminatedPods;
    if (u) {
      if (!u.succeeded?.length) delete u.succeeded;
      if (!u.failed?.length) delete u.failed;
    }
    const stored = await this.client.update<Job>(JOBS, job, { subresource: 'status' });
    this.written.set(objectKey(stored), stored);
    return stored;
  }
}

/** Whether `a` is a later version than `b` (resourceVersions are this server's revision numbers). */
function isNewer(a: Job, b: Job): boolean {
  const ra = Number(a.metadata.resourceVersion);
  const rb = Number(b.metadata.resourceVersion);
  return Number.isFinite(ra) && Number.isFinite(rb) && ra > rb;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Moves uncounted uids whose pods no longer hold the finalizer into the counters; whether any moved. */
function countReleased(status: JobStatus, holding: Set<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const list = u[field] ?? [];
    const still = list.filter((uid) => holding.has(uid));
    if (still.length === list.length) continue;
    status[field] = (status[field] ?? 0) + list.length - still.length;
    u[field] = still;
    changed = true;
  }
  return changed;
}
