/**
 * One scheduling attempt (kube's schedulePod): PreFilter, then Filter over nodes taken round-robin
 * from where the last attempt stopped until enough feasible nodes are found (percentageOfNodesToScore,
 * adaptive by default), then Score those and pick the best, breaking ties at random. A pod's nominated
 * node is tried first. Synchronous: the cluster cannot change under an attempt.
 */
import type { Diagnosis } from './fit-error.js';
import type { Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { Nominator } from './nominator.js';
import type { PodInfo } from './pod-info.js';
import { CycleState } from './types.js';
import type { ClusterView, Rejection } from './types.js';

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * How many feasible nodes are enough: all below 100 nodes; otherwise `percentage` of them, or when 0
 * the adaptive 50 - nodes/125 percent (at least 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * pct) / 100));
}

export interface Scheduled {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export interface Unschedulable {
  diagnosis: Diagnosis;
}

export interface Attempt {
  state: CycleState;
  result: Scheduled | Unschedulable;
}

export class SchedulingAlgorithm {
  /** Where the next attempt starts looking, so load spreads over all nodes. */
  private nextStartIndex = 0;

  constructor(
    readonly fw: Framework,
    private readonly cluster: ClusterView,
    private readonly nominator: Nominator,
    private readonly percentageOfNodesToScore = 0,
    private readonly random: () => number = Math.random,
  ) {}

  schedule(pod: PodInfo): Attempt {
    const state = new CycleState();
    const nodes = this.cluster.nodes();
    const diagnosis: Diagnosis = {
      numAllNodes: nodes.length,
      nodeToStatus: new Map(),
      unschedulablePlugins: new Set(),
    };
    const fail = (): Attempt => ({ state, result: { diagnosis } });
    const pre = this.fw.preFilter(state, pod, this.cluster);
    if (pre) {
      diagnosis.preFilterMsg = pre.reasons.join(', ');
      diagnosis.absentStatus = pre;
      diagnosis.unschedulablePlugins.add(pre.plugin);
      return fail();
    }
    const nominated = pod.pod.status?.nominatedNodeName;
    const nominatedNode = nominated ? this.cluster.node(nominated) : undefined;
    if (nominatedNode?.hasNode && !this.check(state, pod, nominatedNode))
      return { state, result: { node: nominatedNode.name, evaluatedNodes: 1, feasibleNodes: 1 } };

    const want = numFeasibleNodesToFind(nodes.length, this.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    let evaluated = 0;
    const start = nodes.length ? this.nextStartIndex % nodes.length : 0;
    for (; evaluated < nodes.length && feasible.length < want; evaluated++) {
      const node = nodes[(start + evaluated) % nodes.length]!;
      const r = this.check(state, pod, node);
      if (!r) feasible.push(node);
      else {
        diagnosis.nodeToStatus.set(node.name, r);
        diagnosis.unschedulablePlugins.add(r.plugin);
      }
    }
    this.nextStartIndex = nodes.length ? (start + evaluated) % nodes.length : 0;
    if (feasible.length === 0) return fail();
    const base = { evaluatedNodes: evaluated, feasibleNodes: feasible.length };
    if (feasible.length === 1) return { state, result: { node: feasible[0]!.name, ...base } };
    const totals = this.fw.score(state, pod, feasible, this.cluster);
    return { state, result: { node: this.selectHost(feasible, totals), ...base } };
  }

  /** The node's rejection, with pods nominated to it taken into account. */
  private check(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    return this.fw.filterWithNominated(state, pod, node, this.nominator.blocking(node.name, pod));
  }

  /** The highest total; among equal ones each has the same chance (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
