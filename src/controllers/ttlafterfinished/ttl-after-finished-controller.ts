/**
 * The TTL-after-finished controller: deletes a Job `spec.ttlSecondsAfterFinished` seconds after it
 * finished (the transition time of its Complete or Failed condition), with Foreground propagation so
 * the garbage collector removes its pods first. The expiry is re-checked against a fresh read of the
 * Job before deleting, in case the TTL was changed meanwhile.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import type { Job } from '../../client/objects.js';
import { JOBS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { finishedCondition } from '../job/job-util.js';

/** Whether the Job has a TTL, has finished, and is not already being deleted. */
export function needsCleanup(job: Job): boolean {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  return (
    ttl !== undefined &&
    ttl !== null &&
    !job.metadata.deletionTimestamp &&
    finishedCondition(job) !== undefined
  );
}

/** ms until the Job expires (≤ 0: expired). */
export function timeLeftMs(job: Job, nowMs: number): number {
  const finished = finishedCondition(job)?.lastTransitionTime;
  if (!finished) throw new Error(`unable to find the time when the Job ${objectKey(job)} finished`);
  return Date.parse(finished) + (job.spec!.ttlSecondsAfterFinished ?? 0) * 1000 - nowMs;
}

export class TtlAfterFinishedController extends QueueController {
  readonly name = 'ttl-after-finished-controller';
  private readonly client: RestClient;
  private readonly jobs: Informer<Job>;

  constructor(ctx: ControllerContext) {
    super(ctx.log('ttl-after-finished-controller'));
    this.client = ctx.client;
    this.jobs = ctx.informers.for<Job>(JOBS);
    const enqueue = (job: Job) => {
      if (needsCleanup(job)) this.queue.add(objectKey(job));
    };
    this.jobs.addHandler({ add: enqueue, update: (_old, job) => enqueue(job) });
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.jobs.getByKey(key);
    if (!cached || !needsCleanup(cached)) return;
    if (this.requeueIfAlive(key, cached)) return;
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(JOBS, cached.metadata.namespace, cached.metadata.name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      throw err;
    }
    if (!needsCleanup(fresh) || this.requeueIfAlive(key, fresh)) return;
    try {
      await this.client.delete(JOBS, fresh.metadata.namespace, fresh.metadata.name, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid },
      });
      this.log.info('deleted expired job', { job: key });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }

  /** Requeues a Job whose TTL has not run out yet; whether it did. */
  private requeueIfAlive(key: string, job: Job): boolean {
    const left = timeLeftMs(job, Date.now());
    if (left <= 0) return false;
    this.queue.addAfter(key, left);
    return true;
  }
}
