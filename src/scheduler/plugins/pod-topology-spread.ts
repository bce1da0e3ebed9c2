/**
 * PodTopologySpread: with `whenUnsatisfiable: DoNotSchedule`, placing the pod must keep the number of
 * matching pods in the node's topology domain within maxSkew of the least-loaded eligible domain
 * (treated as 0 while fewer than minDomains domains exist); with ScheduleAnyway, nodes whose domains
 * hold fewer matching pods score higher (weight 2). Eligible nodes follow nodeAffinityPolicy (default
 * Honor) and nodeTaintsPolicy (default Ignore), and must carry every constraint's topology key.
 */
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelector, Labels } from '../../apimachinery/labels/index.js';
import type { TopologySpreadConstraint } from '../../client/objects.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { MAX_NODE_SCORE, reject } from '../framework/types.js';
import type {
  ClusterView,
  CycleState,
  FilterPlugin,
  PluginState,
  Rejection,
  ScorePlugin,
} from '../framework/types.js';
import { RequiredNodeAffinity } from '../../api/core/node-selector.js';
import { firstUntolerated } from '../../api/core/taints.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const SPREAD_REASON = "node(s) didn't match pod topology spread constraints";
export const SPREAD_LABEL_REASON = `${SPREAD_REASON} (missing required label)`;
const HOSTNAME = 'kubernetes.io/hostname';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number | undefined;
  honorAffinity: boolean;
  honorTaints: boolean;
}

/** The pod's constraints with `when`, with matchLabelKeys folded into the selector. */
export function constraintsOf(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== when) continue;
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: selectorOf(c, pod.labels),
      minDomains: c.minDomains ?? undefined,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function selectorOf(c: TopologySpreadConstraint, labels: Labels): LabelSelector {
  const keys = (c.matchLabelKeys ?? []).filter((k) => k in labels);
  if (!c.labelSelector || keys.length === 0) return selectorFromLabelSelector(c.labelSelector);
  return selectorFromLabelSelector({
    ...c.labelSelector,
    matchExpressions: [
      ...(c.labelSelector.matchExpressions ?? []),
      ...keys.map((key) => ({ key, operator: 'In', values: [labels[key]!] })),
    ],
  });
}

const hasKeys = (node: NodeInfo, cs: readonly Constraint[]) => cs.every((c) => c.topologyKey in node.labels);

const hardTaint = (t: { effect?: string }) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** Whether the node's domain counts for the constraint under its node inclusion policies. */
function included(c: Constraint, pod: PodInfo, node: NodeInfo, affinity: RequiredNodeAffinity): boolean {
  if (c.honorAffinity && !affinity.matches(node)) return false;
  if (c.honorTaints && firstUntolerated(node.taints, pod.tolerations, hardTaint)) return false;
  return true;
}

/** Pods on the node in `namespace`, not terminating, that the selector picks. */
export function countMatching(node: NodeInfo, selector: LabelSelector, namespace: string): number {
  let n = 0;
  for (const p of node.pods.values())
    if (p.namespace === namespace && !p.terminating && selector.matches(p.labels)) n++;
  return n;
}

class FilterState implements PluginState {
  private mins: (number | undefined)[];

  constructor(
    readonly constraints: Constraint[],
    readonly affinity: RequiredNodeAffinity,
    /** Per constraint: topology value → matching pods. */
    readonly counts: Map<string, number>[],
  ) {
    this.mins = constraints.map(() => undefined);
  }

  /** The global minimum, 0 while fewer than minDomains domains exist. */
  minMatch(i: number): number {
    const c = this.constraints[i]!;
    const counts = this.counts[i]!;
    if (c.minDomains !== undefined && counts.size < c.minDomains) return 0;
    let m = this.mins[i];
    if (m === undefined) {
      m = Number.MAX_SAFE_INTEGER;
      for (const v of counts.values()) if (v < m) m = v;
      this.mins[i] = m;
    }
    return m;
  }

  update(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    if (other.namespace !== pod.namespace || !hasKeys(node, this.constraints)) return;
    this.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !included(c, pod, node, this.affinity)) return;
      const v = node.labels[c.topologyKey]!;
      const counts = this.counts[i]!;
      counts.set(v, (counts.get(v) ?? 0) + delta);
      this.mins[i] = undefined;
    });
  }

  clone(): FilterState {
    return new FilterState(
      this.constraints,
      this.affinity,
      this.counts.map((m) => new Map(m)),
    );
  }
}

class ScoreState implements PluginState {
  constructor(
    readonly constraints: Constraint[],
    readonly ignored: Set<string>,
    /** Per constraint: topology value → matching pods (unused for hostname constraints). */
    readonly counts: Map<string, number>[],
    readonly weights: number[],
  ) {}
  clone(): this {
    return this;
  }
}

const SCORE_STATE = `${POD_TOPOLOGY_SPREAD}/score`;

export class PodTopologySpread implements FilterPlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;
  readonly weight = 2;

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Rejection | undefined {
    const constraints = constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return undefined;
    const affinity = new RequiredNodeAffinity(pod.pod);
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cluster.nodes()) {
      if (!hasKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, pod, node, affinity)) return;
        const v = node.labels[c.topologyKey]!;
        const m = counts[i]!;
        m.set(v, (m.get(v) ?? 0) + countMatching(node, c.selector, pod.namespace));
      });
    }
    state.write(this.name, new FilterState(constraints, affinity, counts));
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const s = state.read<FilterState>(this.name);
    if (!s) return undefined;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = node.labels[c.topologyKey];
      if (value === undefined) return reject(this.name, 'UnschedulableAndUnresolvable', SPREAD_LABEL_REASON);
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(value) ?? 0) + self - s.minMatch(i);
      if (skew > c.maxSkew) return reject(this.name, 'Unschedulable', SPREAD_REASON);
    }
    return undefined;
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    state.read<FilterState>(this.name)?.update(pod, other, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    state.read<FilterState>(this.name)?.update(pod, other, node, -1);
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): boolean {
    const constraints = constraintsOf(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return false;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of nodes) {
      if (!hasKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey !== HOSTNAME) counts[i]!.set(node.labels[c.topologyKey]!, 0);
      });
    }
    const weights = constraints.map((c, i) =>
      Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i]!.size) + 2),
    );
    const affinity = new RequiredNodeAffinity(pod.pod);
    for (const node of cluster.nodes()) {
      if (!hasKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME || !included(c, pod, node, affinity)) return;
        const m = counts[i]!;
        const v = node.labels[c.topologyKey]!;
        const have = m.get(v);
        if (have !== undefined) m.set(v, have + countMatching(node, c.selector, pod.namespace));
      });
    }
    state.write(SCORE_STATE, new ScoreState(constraints, ignored, counts, weights));
    return true;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt =
        c.topologyKey === HOSTNAME
          ? countMatching(node, c.selector, pod.namespace)
          : (s.counts[i]!.get(v) ?? 0);
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalize(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) return;
      min = Math.min(min, scores[i]!);
      max = Math.max(max, scores[i]!);
    });
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    });
  }
}
