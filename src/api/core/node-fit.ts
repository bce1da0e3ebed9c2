/**
 * Whether a pod's node constraints admit a node, as the scheduler and the DaemonSet controller judge
 * it: `nodeSelector` and the required node affinity (node-selector.ts), and taints against
 * tolerations (taints.ts).
 */
import type { Node, PodSpec } from '../../client/objects.js';
import { RequiredNodeAffinity } from './node-selector.js';

export { firstUntolerated as findUntoleratedTaint, toleratesTaint } from './taints.js';

/** Whether `node` satisfies the pod's nodeSelector and its required node affinity. */
export function requiredNodeAffinityMatches(spec: PodSpec | undefined, node: Node): boolean {
  return new RequiredNodeAffinity({ spec }).matches({
    name: node.metadata.name,
    labels: node.metadata.labels ?? {},
  });
}
