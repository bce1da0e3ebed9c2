/**
 * Slow start: run `count` calls of `fn` in batches of 1, 2, 4, 8, ... (doubling from `initialBatch`),
 * each batch in parallel, stopping after the first batch in which any call failed. A quota or admission
 * failure thus costs a handful of requests, not hundreds.
 */
export interface SlowStartResult {
  successes: number;
  /** The first failure, when a batch failed. */
  error?: Error;
}

export async function slowStartBatch(
  count: number,
  initialBatch: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.length - results.filter((r) => r.status === 'rejected').length;
    if (failed)
      return {
        successes,
        error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)),
      };
    remaining -= batch;
  }
  return { successes };
}

/** Kubernetes' SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH = 1;
