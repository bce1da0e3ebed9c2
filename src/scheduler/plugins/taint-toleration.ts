/**
 * TaintToleration: a node's NoSchedule and NoExecute taints must be tolerated (filter), and nodes
 * with fewer untolerated PreferNoSchedule taints score higher (score, weight 3).
 */
import type { Toleration } from '../../client/objects.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { defaultNormalize, reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, Rejection, ScorePlugin } from '../framework/types.js';
import { firstUntolerated, toleratedBy } from '../../api/core/taints.js';

export const TAINT_TOLERATION = 'TaintToleration';

const hard = (t: { effect?: string }) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export function taintFilter(pod: PodInfo, node: NodeInfo): Rejection | undefined {
  const taint = firstUntolerated(node.taints, pod.tolerations, hard);
  if (!taint) return undefined;
  return reject(
    TAINT_TOLERATION,
    'UnschedulableAndUnresolvable',
    `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
  );
}

/** How many PreferNoSchedule taints of the node the pod's (PreferNoSchedule or any-effect) tolerations miss. */
export function intolerablePreferNoSchedule(pod: PodInfo, node: NodeInfo): number {
  let tolerations: Toleration[] | undefined;
  let n = 0;
  for (const taint of node.taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    tolerations ??= pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    if (!toleratedBy(tolerations, taint)) n++;
  }
  return n;
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;
  readonly weight = 3;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    return taintFilter(pod, node);
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return intolerablePreferNoSchedule(pod, node);
  }

  normalize(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    defaultNormalize(scores, true);
  }
}
