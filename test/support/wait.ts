/** Polling for end-to-end tests: waits for a condition the system reaches on its own. */
import assert from 'node:assert/strict';

/** Waits until `cond` holds, checking every 50 ms; fails naming `what` after `ms`. */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
