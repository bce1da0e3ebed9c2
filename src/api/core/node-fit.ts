/**
 * Whether a pod's node constraints admit a node, as the scheduler and the DaemonSet controller judge
 * it: `nodeSelector`, the required node affinity (terms ORed, a term's requirements ANDed, fields
 * limited to `metadata.name`), and taints against tolerations (k8s.io/api/core/v1 helpers).
 */
import { termMatches } from './node-selector.js';
import type { NodeSelectorTerm } from './node-selector.js';
import type { Node, PodSpec, Taint, Toleration } from '../../client/objects.js';
import { toleratesTaint } from './taints.js';

export { toleratesTaint };

/** The first of `taints` passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (t: Taint) => boolean = () => true,
): Taint | undefined {
  return (taints ?? []).find(
    (taint) => filter(taint) && !(tolerations ?? []).some((t) => toleratesTaint(t, taint)),
  );
}

/** Whether `node` satisfies the pod's nodeSelector and its required node affinity. */
export function requiredNodeAffinityMatches(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms as NodeSelectorTerm[]).some((t) =>
    termMatches(t, labels, node.metadata.name),
  );
}
