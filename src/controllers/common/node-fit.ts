/**
 * Whether a pod's node constraints admit a node, as the scheduler and the DaemonSet controller judge
 * it: `nodeSelector`, the required node affinity (terms ORed, a term's requirements ANDed, fields
 * limited to `metadata.name`), and taints against tolerations (k8s.io/api/core/v1 helpers).
 */
import { termMatches } from '../../api/core/node-selector.js';
import type { NodeSelectorTerm } from '../../api/core/node-selector.js';
import type { Node, PodSpec, Taint, Toleration } from '../../client/objects.js';

/** A toleration tolerates a taint when effect and key match (empty = any) and the value does (Equal) or need not (Exists). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

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
