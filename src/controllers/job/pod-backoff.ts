/**
 * The delay before a Job replaces failed pods: 10 s × 2^(consecutive failures − 1), capped at six
 * minutes, counted from the last failure; a success resets the count. The base delay can be
 * shortened with K8TS_JOB_POD_FAILURE_BACKOFF_MS (for tests and experiments; see docs/jobs.md).
 */
import type { Pod } from '../../client/objects.js';
import { podFinishedAt } from './job-util.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;
export const POD_FAILURE_BACKOFF_ENV = 'K8TS_JOB_POD_FAILURE_BACKOFF_MS';

/** The base delay: the environment's override when it is a non-negative number, else 10 s. */
export function podFailureBackoffBaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[POD_FAILURE_BACKOFF_ENV];
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_POD_FAILURE_BACKOFF_MS;
}

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since the epoch. */
  lastFailureTime?: number;
}

/** The time left (ms) before pods may be created again, given `failures` and the last failure. */
export function remainingBackoffMs(
  failures: number,
  lastFailureTime: number | undefined,
  nowMs: number,
  baseMs: number,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (failures <= 0 || lastFailureTime === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < failures && delay < maxMs; i++) delay *= 2;
  delay = Math.min(delay, maxMs);
  return Math.max(0, delay - (nowMs - lastFailureTime));
}

/** Per-Job backoff records, kept in memory as Kubernetes' controller does. */
export class PodBackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /**
   * The record after this sync's newly finished pods: failures extend the streak unless a success
   * finished after them, in which case only the failures after the last success count.
   */
  next(key: string, succeeded: Pod[], failed: Pod[]): BackoffRecord {
    const old = this.records.get(key) ?? { failuresAfterLastSuccess: 0 };
    if (!failed.length) return succeeded.length ? { failuresAfterLastSuccess: 0 } : { ...old };
    const failTimes = failed.map(podFinishedAt).sort((a, b) => a - b);
    if (!succeeded.length)
      return {
        failuresAfterLastSuccess: old.failuresAfterLastSuccess + failed.length,
        lastFailureTime: failTimes[failTimes.length - 1],
      };
    const lastSuccess = Math.max(...succeeded.map(podFinishedAt));
    const after = failTimes.filter((t) => t > lastSuccess);
    return after.length
      ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] }
      : { failuresAfterLastSuccess: 0 };
  }

  set(key: string, record: BackoffRecord): void {
    this.records.set(key, record);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
