/**
 * Changing a node's taints as the node controllers do (SwapNodeControllerTaint): add some (stamped
 * with timeAdded), remove others, in one write conditional on the node's resourceVersion, read again
 * and retried on a conflict. A taint already there with the same value is left as it is.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import type { Node, Taint } from '../../client/objects.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { sameTaint } from '../../api/core/taints.js';

const ATTEMPTS = 5;

/** `taints` with `add` added (or updated) and `remove` removed; undefined when nothing changes. */
export function swappedTaints(
  taints: Taint[],
  add: Taint[],
  remove: Taint[],
  stamp: string,
): Taint[] | undefined {
  let changed = false;
  const next = taints.filter((t) => {
    const drop =
      remove.some((r) => sameTaint(r, t)) ||
      add.some((a) => sameTaint(a, t) && (a.value ?? '') !== (t.value ?? ''));
    if (drop) changed = true;
    return !drop;
  });
  for (const a of add)
    if (!next.some((t) => sameTaint(a, t))) {
      next.push({ ...a, timeAdded: stamp });
      changed = true;
    }
  return changed ? next : undefined;
}

export function hasTaint(node: Node | undefined, taint: Taint): boolean {
  return (node?.spec?.taints ?? []).some((t) => sameTaint(t, taint));
}

/**
 * Applies the swap to node `name`, starting from `cached` when given. Returns false when the node is
 * gone; throws when it keeps conflicting.
 */
export async function swapNodeTaints(
  client: RestClient,
  name: string,
  add: Taint[],
  remove: Taint[],
  cached?: Node,
): Promise<boolean> {
  let node = cached;
  for (let attempt = 0; ; attempt++) {
    try {
      node ??= await client.get<Node>(NODES, undefined, name);
      const next = swappedTaints(node.spec?.taints ?? [], add, remove, now());
      if (!next) return true;
      await client.patch(NODES, undefined, name, 'merge', {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: next.length ? next : null },
      });
      return true;
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return false;
      if (!isStatusError(err, 'Conflict') || attempt + 1 >= ATTEMPTS) throw err;
      node = undefined;
    }
  }
}
