/**
 * NodeAffinity: the node must satisfy the pod's nodeSelector and required node affinity (filter), and
 * nodes matching more (heavier) preferred terms score higher (score, weight 2).
 */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { defaultNormalize, reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, PluginState, Rejection, ScorePlugin } from '../framework/types.js';
import { RequiredNodeAffinity, WeightedNodeTerm } from '../../api/core/node-selector.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const NODE_AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

class AffinityState implements PluginState {
  constructor(
    readonly required: RequiredNodeAffinity,
    readonly preferred: WeightedNodeTerm[],
  ) {}
  clone(): this {
    return this;
  }
}

function stateOf(state: CycleState, pod: PodInfo): AffinityState {
  let s = state.read<AffinityState>(NODE_AFFINITY);
  if (!s) {
    const preferred = (
      pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    )
      .filter((p) => p.weight !== 0)
      .map((p) => new WeightedNodeTerm(p.weight, p.preference));
    s = new AffinityState(new RequiredNodeAffinity(pod.pod), preferred);
    state.write(NODE_AFFINITY, s);
  }
  return s;
}

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;
  readonly weight = 2;

  preFilter(state: CycleState, pod: PodInfo): Rejection | undefined {
    stateOf(state, pod);
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const { required } = stateOf(state, pod);
    if (required.empty || required.matches(node)) return undefined;
    return reject(this.name, 'UnschedulableAndUnresolvable', NODE_AFFINITY_REASON);
  }

  preScore(state: CycleState, pod: PodInfo): boolean {
    return stateOf(state, pod).preferred.length > 0;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    for (const t of stateOf(state, pod).preferred) if (t.matches(node)) sum += t.weight;
    return sum;
  }

  normalize(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    defaultNormalize(scores, false);
  }
}
