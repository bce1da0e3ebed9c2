/** The pods bound to a node, from a pod informer indexed by spec.nodeName (shared by the node controllers). */
import type { Informer } from '../../client/informer.js';
import type { Pod } from '../../client/objects.js';

const NODE_NAME_INDEX = 'spec.nodeName';
const indexed = new WeakSet<Informer<Pod>>();

/** Adds the spec.nodeName index to `pods` once, however many controllers ask. */
export function indexPodsByNode(pods: Informer<Pod>): void {
  if (indexed.has(pods)) return;
  indexed.add(pods);
  pods.addIndex(NODE_NAME_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
}

export function podsOnNode(pods: Informer<Pod>, nodeName: string): Pod[] {
  return pods.byIndex(NODE_NAME_INDEX, nodeName);
}
