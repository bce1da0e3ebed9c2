/**
 * Facts about Jobs and their pods shared by the Job, CronJob and TTL-after-finished controllers:
 * the well-known label/annotation/finalizer names, whether a Job has finished, conditions, and the
 * completion index of a pod.
 */
import type { Job, Pod } from '../../client/objects.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT_KEY = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_KEY = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export type JobCondition = NonNullable<NonNullable<Job['status']>['conditions']>[number];
export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

export function findCondition(job: Job, type: JobConditionType): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

/** The Complete or Failed condition (status True) that ends the Job, if any. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

export function newCondition(
  type: JobConditionType,
  status: 'True' | 'False',
  reason: string,
  message: string,
  at: string,
): JobCondition {
  return { type, status, reason, message, lastProbeTime: at, lastTransitionTime: at };
}

/**
 * Sets the condition of `type` to status/reason/message (a new one only when it would be True, as
 * a False condition that never was True says nothing). Whether anything changed.
 */
export function ensureCondition(
  conditions: JobCondition[],
  want: Omit<JobCondition, 'lastProbeTime' | 'lastTransitionTime'>,
  at: string,
): boolean {
  const i = conditions.findIndex((c) => c.type === want.type);
  const next = newCondition(
    want.type as JobConditionType,
    want.status as 'True' | 'False',
    want.reason ?? '',
    want.message ?? '',
    at,
  );
  if (i >= 0) {
    const c = conditions[i]!;
    if (c.status === want.status && c.reason === want.reason && c.message === want.message) return false;
    conditions[i] = next;
    return true;
  }
  if (want.status === 'False') return false;
  conditions.push(next);
  return true;
}

/** The completion index a pod of an Indexed Job carries, or undefined when missing or malformed. */
export function completionIndexOf(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_KEY];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** A non-negative int32 from an annotation, 0 when missing or malformed. */
export function annotationCount(pod: Pod, key: string): number {
  const v = pod.metadata.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  const n = Number(v);
  return n <= 2 ** 31 - 1 ? n : 0;
}

/**
 * When a finished pod finished: the latest container finish time, else when Ready turned False,
 * else its deletion time less the grace period, else its creation (ms since the epoch).
 */
export function podFinishedAt(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length && statuses.every((s) => s.state?.terminated?.finishedAt)) {
    return Math.max(...statuses.map((s) => Date.parse(String(s.state!.terminated!.finishedAt))));
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime)
    return Date.parse(String(ready.lastTransitionTime));
  if (pod.metadata.deletionTimestamp)
    return Date.parse(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(pod.metadata.creationTimestamp) || 0;
}
