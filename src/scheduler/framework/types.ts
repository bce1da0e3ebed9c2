/**
 * The scheduling framework's vocabulary: how a plugin rejects a node, what plugins can see of the
 * cluster, and the filter and score extension points (kube-scheduler's PreFilter/Filter and
 * PreScore/Score/NormalizeScore, with the PreFilter extensions preemption needs).
 */
import type { Labels } from '../../apimachinery/labels/index.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../client/objects.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/** Unschedulable: removing pods might help (preemption). UnschedulableAndUnresolvable: it cannot. */
export type RejectCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Rejection {
  code: RejectCode;
  plugin: string;
  reasons: string[];
}

export function reject(plugin: string, code: RejectCode, ...reasons: string[]): Rejection {
  return { code, plugin, reasons };
}

export const MAX_NODE_SCORE = 100;

/** What plugins may look up about the cluster besides the node they are judging. */
export interface ClusterView {
  /** Every node the scheduler knows, with the pods on it. */
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  namespaceLabels(namespace: string): Labels | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  /** Every PersistentVolume (the candidates for claims that wait for their first consumer). */
  pvs(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

/** State a plugin keeps for one scheduling attempt; `clone` lets preemption change a copy. */
export interface PluginState {
  clone(): PluginState;
}

/** One scheduling attempt of one pod: each plugin's state, by plugin name. */
export class CycleState {
  private readonly states = new Map<string, PluginState>();

  read<T extends PluginState>(plugin: string): T | undefined {
    return this.states.get(plugin) as T | undefined;
  }

  write(plugin: string, state: PluginState): void {
    this.states.set(plugin, state);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, s] of this.states) c.states.set(k, s.clone());
    return c;
  }
}

export interface FilterPlugin {
  readonly name: string;
  /** Once per attempt, before any node is judged; a rejection here applies to every node. */
  preFilter?(state: CycleState, pod: PodInfo, cluster: ClusterView): Rejection | undefined;
  /** Whether `pod` may go on `node`; undefined when it may. */
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined;
  /** Keep the preFilter state true when preemption adds or removes `other` on `node`. */
  addPod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** Prepares scoring over the feasible `nodes`; false when the plugin has nothing to say (Skip). */
  preScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): boolean;
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Scales `scores` (one per node, same order) to 0..MAX_NODE_SCORE in place. */
  normalize?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
}

/**
 * kube's DefaultNormalizeScore: scores scaled so the highest is MAX_NODE_SCORE; `reverse` turns
 * "more is worse" counts into scores.
 */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      if (reverse) scores[i] = MAX_NODE_SCORE;
      continue;
    }
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
