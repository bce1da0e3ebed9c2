/**
 * The CronJob controller (kube-controller-manager's cronjob controller v2): creates a Job named
 * `<cronjob>-<minutes since the epoch>` for each due start time, honours suspend,
 * startingDeadlineSeconds and concurrencyPolicy, keeps status.active/lastScheduleTime/
 * lastSuccessfulTime, and deletes finished Jobs beyond the history limits. Each CronJob is looked at
 * again just after its next start time.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import type { CronJob, Job } from '../../client/objects.js';
import { CRON_JOBS, JOBS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { CronSyntaxError, parseCronSchedule } from '../../util/cron.js';
import type { CronSchedule } from '../../util/cron.js';
import { formatRFC1123Z, formatRFC3339, isKnownTimeZone } from '../../util/time-zone.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { controllerRefOf, isControlledBy, newControllerRef } from '../common/controller-ref.js';
import { indexByControllerUid, ownedBy } from '../common/indexes.js';
import { finishedCondition } from '../job/job-util.js';
import { InvalidScheduleError, decideRun, jobNameFor, nextScheduleDelayMs } from './scheduling.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type ObjectReference = NonNullable<NonNullable<CronJob['status']>['active']>[number];

export interface CronJobControllerOptions {
  /** The clock (ms since the epoch); tests may inject one. */
  now?: () => number;
}

export class CronJobController extends QueueController {
  readonly name = 'cronjob-controller';
  private readonly client: RestClient;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly events: EventRecorder;
  private readonly now: () => number;

  constructor(ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    super(ctx.log('cronjob-controller'));
    this.client = ctx.client;
    this.events = ctx.events('cronjob-controller');
    this.now = opts.now ?? Date.now;
    this.cronJobs = ctx.informers.for<CronJob>(CRON_JOBS);
    this.jobs = ctx.informers.for<Job>(JOBS);
    indexByControllerUid(this.jobs);
    this.cronJobs.addHandler({
      add: (cj) => this.queue.add(objectKey(cj)),
      update: (old, cj) => this.cronJobUpdated(old, cj),
      delete: (cj) => this.queue.add(objectKey(cj)),
    });
    const jobChanged = (job: Job) => {
      const cj = this.ownerOf(job);
      if (cj) this.queue.add(objectKey(cj));
    };
    this.jobs.addHandler({
      add: jobChanged,
      update: (old, job) => {
        if (old.metadata.resourceVersion === job.metadata.resourceVersion) return;
        const before = this.ownerOf(old);
        if (before && before.metadata.uid !== this.ownerOf(job)?.metadata.uid) jobChanged(old);
        jobChanged(job);
      },
      delete: jobChanged,
    });
  }

  private ownerOf(job: Job): CronJob | undefined {
    const ref = controllerRefOf(job);
    if (ref?.kind !== 'CronJob') return undefined;
    const cj = this.cronJobs.get(job.metadata.namespace, ref.name);
    return cj?.metadata.uid === ref.uid ? cj : undefined;
  }

  /** A new schedule is looked at when it next fires; any other change at once. */
  private cronJobUpdated(old: CronJob, cj: CronJob): void {
    const key = objectKey(cj);
    if (old.spec?.schedule === cj.spec?.schedule && old.spec?.timeZone === cj.spec?.timeZone) {
      this.queue.add(key);
      return;
    }
    let schedule: CronSchedule;
    try {
      schedule = parseCronSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
    } catch {
      this.events.event(
        cj,
        'Warning',
        'UnParseableCronJobSchedule',
        `unparseable schedule for cronjob: ${cj.spec?.schedule ?? ''}`,
      );
      return;
    }
    this.queue.addAfter(key, nextScheduleDelayMs(cj, this.now(), schedule));
  }

  protected async reconcile(key: string): Promise<void> {
    const shared = this.cronJobs.getByKey(key);
    if (!shared) return;
    const cj = structuredClone(shared);
    const jobs = ownedBy(this.jobs, cj.metadata.uid);
    const cleaned = await this.cleanupFinishedJobs(cj, jobs);
    const { cronJob, changed, requeueAfterMs, error } = await this.syncCronJob(cj, jobs);
    if (cleaned || changed) await this.client.update(CRON_JOBS, cronJob, { subresource: 'status' });
    if (requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(0, requeueAfterMs));
    else if (error) throw error;
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const spec = cj.spec!;
    let changed = false;
    const limits: [string, number | undefined][] = [
      ['Complete', spec.successfulJobsHistoryLimit],
      ['Failed', spec.failedJobsHistoryLimit],
    ];
    for (const [type, limit] of limits) {
      if (limit === undefined || limit === null) continue;
      const finished = jobs.filter((j) => finishedCondition(j)?.type === type).sort(byStartTime);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit)))
        if (await this.deleteJob(cj, job)) changed = true;
    }
    return changed;
  }

  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.client.delete(JOBS, job.metadata.namespace, job.metadata.name, {
        propagationPolicy: 'Background',
      });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) {
        this.events.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        this.log.warn('deleting a job failed', { job: objectKey(job), err });
        return false;
      }
    }
    removeActive(cj, job.metadata.uid);
    this.events.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  private async syncCronJob(
    cronJob: CronJob,
    jobs: Job[],
  ): Promise<{ cronJob: CronJob; changed: boolean; requeueAfterMs?: number; error?: Error }> {
    let cj = cronJob;
    let changed = false;
    const status = () => (cj.status ??= {});
    const children = new Set(jobs.map((j) => j.metadata.uid));
    for (const job of jobs) {
      const uid = job.metadata.uid;
      const finished = finishedCondition(job);
      const listed = (status().active ?? []).some((r) => r.uid === uid);
      if (!listed && !finished) {
        // Our own status write may not have reached the cache yet: ask the API server.
        const fresh = await this.client.get<CronJob>(CRON_JOBS, cj.metadata.namespace, cj.metadata.name);
        if ((fresh.status?.active ?? []).some((r) => r.uid === uid)) {
          cj = fresh;
          continue;
        }
        this.events.event(
          cj,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
        );
      } else if (listed && finished) {
        removeActive(cj, uid);
        this.events.event(
          cj,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata.name}, status: ${finished.type}`,
        );
        changed = true;
      } else if (finished?.type === 'Complete' && job.status?.completionTime) {
        const last = status().lastSuccessfulTime;
        if (!last || Date.parse(job.status.completionTime) > Date.parse(last)) {
          status().lastSuccessfulTime = job.status.completionTime;
          changed = true;
        }
      }
    }
    for (const ref of [...(status().active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.client.get(JOBS, ref.namespace, ref.name ?? '');
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) return { cronJob: cj, changed, error: err as Error };
        this.events.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        removeActive(cj, ref.uid ?? '');
        changed = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { cronJob: cj, changed };

    const spec = cj.spec!;
    const zone = spec.timeZone ?? undefined;
    if (zone !== undefined && (!isKnownTimeZone(zone) || zone.toLowerCase() === 'local')) {
      this.events.event(
        cj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}`,
      );
      return { cronJob: cj, changed };
    }
    if (spec.suspend) return { cronJob: cj, changed };
    if (spec.schedule.includes('TZ'))
      this.events.event(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    let schedule: CronSchedule;
    try {
      schedule = parseCronSchedule(spec.schedule, zone);
    } catch (err) {
      if (!(err instanceof CronSyntaxError)) throw err;
      this.events.event(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${err.message}`,
      );
      return { cronJob: cj, changed };
    }

    const now = this.now();
    let run: ReturnType<typeof decideRun>;
    try {
      run = decideRun(cj, now, schedule);
    } catch (err) {
      if (!(err instanceof InvalidScheduleError)) throw err;
      this.events.event(
        cj,
        'Warning',
        'InvalidSchedule',
        `invalid schedule: ${spec.schedule} : ${err.message}`,
      );
      return { cronJob: cj, changed };
    }
    if (run.tooManyMissed)
      this.events.event(
        cj,
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    const d = run.decision;
    switch (d.kind) {
      case 'wait':
      case 'done':
        return { cronJob: cj, changed, requeueAfterMs: d.requeueAfterMs };
      case 'missed':
        this.events.event(
          cj,
          'Warning',
          'MissSchedule',
          `Missed scheduled time to start a job: ${formatRFC1123Z(d.scheduledTime)}`,
        );
        return { cronJob: cj, changed, requeueAfterMs: d.requeueAfterMs };
      case 'forbidden':
        this.events.event(
          cj,
          'Normal',
          'JobAlreadyActive',
          'Not starting job because prior execution is running and concurrency policy is Forbid',
        );
        return { cronJob: cj, changed, requeueAfterMs: d.requeueAfterMs };
      case 'start':
        break;
    }

    if (d.replace) {
      for (const ref of [...(status().active ?? [])]) {
        let job: Job;
        try {
          job = await this.client.get<Job>(JOBS, ref.namespace, ref.name ?? '');
        } catch (err) {
          this.events.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          return { cronJob: cj, changed, error: err as Error };
        }
        if (!(await this.deleteJob(cj, job)))
          return {
            cronJob: cj,
            changed,
            error: new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`),
          };
        changed = true;
      }
    }

    const request = jobFromTemplate(cj, d.scheduledTime);
    let job: Job;
    try {
      job = await this.client.create<Job>(JOBS, cj.metadata.namespace, request);
      this.events.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) {
        this.events.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        return { cronJob: cj, changed, error: err as Error };
      }
      // Created earlier, but the status write that should have followed was lost.
      job = await this.client.get<Job>(JOBS, cj.metadata.namespace, request.metadata.name);
      if (!isControlledBy(job, cj) || (status().active ?? []).some((r) => r.uid === job.metadata.uid))
        return { cronJob: cj, changed };
      this.log.info('job already exists', { cronjob: objectKey(cj), job: job.metadata.name });
    }
    status().active = [...(status().active ?? []), referenceTo(job)];
    status().lastScheduleTime = new Date(d.scheduledTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { cronJob: cj, changed: true, requeueAfterMs: d.requeueAfterMs };
  }
}

function removeActive(cj: CronJob, uid: string): void {
  if (!cj.status?.active) return;
  cj.status.active = cj.status.active.filter((r) => r.uid !== uid);
  // An empty list is left out, as Kubernetes' omitempty does.
  if (!cj.status.active.length) delete cj.status.active;
}

function referenceTo(job: Job): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** Oldest first by status.startTime (Jobs that never started last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : a.metadata.name.localeCompare(b.metadata.name);
  return Date.parse(sa) - Date.parse(sb) || a.metadata.name.localeCompare(b.metadata.name);
}

/** The Job for one scheduled run: the template's labels, annotations and spec, owned by the CronJob. */
export function jobFromTemplate(cj: CronJob, scheduledTime: number): Job {
  const template = cj.spec!.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name, scheduledTime),
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339(scheduledTime, cj.spec!.timeZone ?? 'UTC'),
      },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(template.spec!),
  } as unknown as Job;
}
