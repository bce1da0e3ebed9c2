/**
 * When a CronJob runs, as pure functions of the CronJob, the schedule and the current time (so tests
 * inject the clock): the most recent missed start time (with Kubernetes' "more than 100 missed"
 * estimate rather than a walk over every missed time), the delay until the next one, and what to do
 * now under startingDeadlineSeconds and concurrencyPolicy.
 */
import type { CronJob } from '../../client/objects.js';
import type { CronSchedule } from '../../util/cron.js';

/** Requeues land this long after the scheduled time, so a slightly early timer still finds it due. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this earn a TooManyMissedTimes warning. */
export const TOO_MANY_MISSED = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface RecentSchedule {
  /** The last schedule time, else the creation time, moved up to the starting deadline if asked. */
  earliest: number;
  /** The most recent time a Job should have started, at or before now. */
  mostRecent?: number;
  missed: MissedSchedules;
}

export class InvalidScheduleError extends Error {}

function ms(time: string | undefined): number | undefined {
  return time ? Date.parse(time) : undefined;
}

export function mostRecentScheduleTime(
  cj: CronJob,
  nowMs: number,
  schedule: CronSchedule,
  includeStartingDeadline: boolean,
): RecentSchedule {
  let earliest = ms(cj.status?.lastScheduleTime) ?? Date.parse(cj.metadata.creationTimestamp);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null)
    earliest = Math.max(earliest, nowMs - deadline * 1000);
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && nowMs < t1) return { earliest, missed: 'none' };
  if (t1 !== undefined && (t2 === undefined || nowMs < t2))
    return { earliest, mostRecent: t1, missed: 'none' };
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  // A schedule that parses but never fires (February 31st) ends up here.
  if (between < 1)
    throw new InvalidScheduleError('time difference between two schedules is less than 1 second');
  // Estimate how many runs were missed from the interval between the first two, then find the last
  // one by walking only the final stretch.
  const elapsed = Math.trunc((nowMs - t1!) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  for (
    let t = schedule.next(t1! + (missedCount - 2) * between * 1000);
    t !== undefined && t <= nowMs;
    t = schedule.next(t)
  )
    mostRecent = t;
  const missed: MissedSchedules = missedCount > TOO_MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** How long until the CronJob should be looked at again (the next start time plus a small margin). */
export function nextScheduleDelayMs(cj: CronJob, nowMs: number, schedule: CronSchedule): number {
  let base: number;
  try {
    const r = mostRecentScheduleTime(cj, nowMs, schedule, false);
    base = r.mostRecent ?? (r.missed === 'none' ? r.earliest : nowMs);
  } catch {
    base = nowMs;
  }
  const next = schedule.next(base) ?? nowMs + 24 * 3_600_000;
  return next + NEXT_SCHEDULE_DELTA_MS - nowMs;
}

export type RunDecision =
  /** No start time is due. */
  | { kind: 'wait'; requeueAfterMs: number }
  /** The due start time is older than startingDeadlineSeconds: a MissSchedule warning. */
  | { kind: 'missed'; scheduledTime: number; requeueAfterMs: number }
  /** The due start time already has its Job. */
  | { kind: 'done'; scheduledTime: number; requeueAfterMs: number }
  /** Forbid with a Job still active: a JobAlreadyActive event. */
  | { kind: 'forbidden'; scheduledTime: number; requeueAfterMs: number }
  /** Start a Job for scheduledTime, deleting the active ones first when `replace`. */
  | { kind: 'start'; scheduledTime: number; replace: boolean; requeueAfterMs: number };

/** The name of the Job for a scheduled time: `<cronjob>-<minutes since the epoch>`. */
export function jobNameFor(cronJobName: string, scheduledTime: number): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

/**
 * What a CronJob that is neither suspended nor being deleted should do at `nowMs`, and whether
 * more than 100 start times were missed. Throws InvalidScheduleError for a schedule that never fires.
 */
export function decideRun(
  cj: CronJob,
  nowMs: number,
  schedule: CronSchedule,
): { decision: RunDecision; tooManyMissed: boolean } {
  const recent = mostRecentScheduleTime(cj, nowMs, schedule, true);
  const tooManyMissed = recent.mostRecent !== undefined && recent.missed === 'many';
  const requeueAfterMs = nextScheduleDelayMs(cj, nowMs, schedule);
  const scheduledTime = recent.mostRecent;
  if (scheduledTime === undefined || scheduledTime > nowMs)
    return { decision: { kind: 'wait', requeueAfterMs }, tooManyMissed };
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduledTime + deadline * 1000 < nowMs)
    return { decision: { kind: 'missed', scheduledTime, requeueAfterMs }, tooManyMissed };
  const active = cj.status?.active ?? [];
  const name = jobNameFor(cj.metadata.name, scheduledTime);
  if (
    active.some((r) => r.name === name && r.namespace === cj.metadata.namespace) ||
    ms(cj.status?.lastScheduleTime) === scheduledTime
  )
    return { decision: { kind: 'done', scheduledTime, requeueAfterMs }, tooManyMissed };
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0)
    return { decision: { kind: 'forbidden', scheduledTime, requeueAfterMs }, tooManyMissed };
  const started: CronJob = {
    ...cj,
    status: { ...cj.status, lastScheduleTime: new Date(scheduledTime).toISOString() },
  };
  return {
    decision: {
      kind: 'start',
      scheduledTime,
      replace: policy === 'Replace' && active.length > 0,
      requeueAfterMs: nextScheduleDelayMs(started, nowMs, schedule),
    },
    tooManyMissed,
  };
}
