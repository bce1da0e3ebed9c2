/**
 * The default profile's plugins in kube-scheduler's order, and how they are run: PreFilter once per
 * attempt, Filter per node up to the first rejection, Score per feasible node with each plugin's
 * scores normalised to 0..100 and weighted.
 */
import { BalancedAllocation } from '../plugins/balanced-allocation.js';
import { InterPodAffinity } from '../plugins/inter-pod-affinity.js';
import { NodeAffinity } from '../plugins/node-affinity.js';
import { NodeName } from '../plugins/node-name.js';
import { NodePorts } from '../plugins/node-ports.js';
import { NodeResourcesFit } from '../plugins/node-resources-fit.js';
import { NodeUnschedulable } from '../plugins/node-unschedulable.js';
import { PodTopologySpread } from '../plugins/pod-topology-spread.js';
import { TaintToleration } from '../plugins/taint-toleration.js';
import { VolumeBinding } from '../plugins/volume-binding.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { ClusterView, CycleState, FilterPlugin, Rejection, ScorePlugin } from './types.js';

export class Framework {
  constructor(
    readonly filters: readonly FilterPlugin[],
    readonly scorers: readonly ScorePlugin[],
  ) {}

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Rejection | undefined {
    for (const p of this.filters) {
      const r = p.preFilter?.(state, pod, cluster);
      if (r) return r;
    }
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    for (const p of this.filters) {
      const r = p.filter(state, pod, node);
      if (r) return r;
    }
    return undefined;
  }

  /**
   * Filter as if `nominated` (pods waiting for room on this node) were already there, and as they are
   * now; the pod must pass both, as kube's RunFilterPluginsWithNominatedPods.
   */
  filterWithNominated(
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    nominated: readonly PodInfo[],
  ): Rejection | undefined {
    if (nominated.length) {
      const s = state.clone();
      const n = node.clone();
      for (const p of nominated) this.addPod(s, pod, p, n);
      const r = this.filter(s, pod, n);
      if (r) return r;
    }
    return this.filter(state, pod, node);
  }

  /** Places `other` on `node` (a copy being evaluated) and updates the plugins' state. */
  addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    node.addPod(other);
    for (const p of this.filters) p.addPod?.(state, pod, other, node);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    node.removePod(other);
    for (const p of this.filters) p.removePod?.(state, pod, other, node);
  }

  /** Each node's weighted total score, in the order of `nodes`. */
  score(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const p of this.scorers) {
      if (p.preScore && !p.preScore(state, pod, nodes, cluster)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = p.score(state, pod, nodes[i]!);
      p.normalize?.(state, pod, nodes, scores);
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * p.weight;
    }
    return totals;
  }
}

/** kube-scheduler's default profile: filters in its order, scorers with its weights. */
export function defaultFramework(): Framework {
  const taints = new TaintToleration();
  const nodeAffinity = new NodeAffinity();
  const fit = new NodeResourcesFit();
  const spread = new PodTopologySpread();
  const podAffinity = new InterPodAffinity();
  return new Framework(
    [
      new NodeUnschedulable(),
      new NodeName(),
      taints,
      nodeAffinity,
      new NodePorts(),
      fit,
      new VolumeBinding(),
      spread,
      podAffinity,
    ],
    [taints, nodeAffinity, fit, spread, podAffinity, new BalancedAllocation()],
  );
}
