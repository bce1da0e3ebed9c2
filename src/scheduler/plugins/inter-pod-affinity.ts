/**
 * InterPodAffinity. Filter: the node's topology domain must hold a pod matching all of the pod's
 * required affinity terms (unless no pod anywhere matches and the pod matches its own terms, so the
 * first of a group can land); must hold no pod matching its required anti-affinity terms; and must hold
 * no pod whose own required anti-affinity selects this pod. Score (weight 2): preferred terms of the
 * pod, and of pods already placed towards this pod, add or subtract their weights per domain.
 */
import type { Labels } from '../../apimachinery/labels/index.js';
import type { NodeInfo } from '../framework/node-info.js';
import { termMatches } from '../framework/pod-info.js';
import type { AffinityTerm, PodInfo } from '../framework/pod-info.js';
import { MAX_NODE_SCORE, reject } from '../framework/types.js';
import type {
  ClusterView,
  CycleState,
  FilterPlugin,
  PluginState,
  Rejection,
  ScorePlugin,
} from '../framework/types.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const AFFINITY_REASON = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";
/** Weight of an existing pod's required affinity towards the incoming pod in scoring (kube's default). */
const HARD_POD_AFFINITY_WEIGHT = 1;

type NsLabels = (namespace: string) => Labels | undefined;
const pair = (key: string, value: string) => `${key}\u0000${value}`;

/** Topology pair → count, dropping pairs that fall to zero. */
class PairCounts extends Map<string, number> {
  bump(node: NodeInfo, key: string, delta: number): void {
    const v = node.labels[key];
    if (v === undefined) return;
    const k = pair(key, v);
    const n = (this.get(k) ?? 0) + delta;
    if (n === 0) this.delete(k);
    else this.set(k, n);
  }
  at(node: NodeInfo, key: string): number | undefined {
    const v = node.labels[key];
    return v === undefined ? undefined : (this.get(pair(key, v)) ?? 0);
  }
  copy(): PairCounts {
    const c = new PairCounts();
    for (const [k, v] of this) c.set(k, v);
    return c;
  }
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo, ns: NsLabels): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod, ns(pod.namespace)));
}

class FilterState implements PluginState {
  constructor(
    readonly ns: NsLabels,
    /** Domains holding pods whose required anti-affinity selects the incoming pod. */
    readonly existingAnti: PairCounts,
    /** Domains holding pods matching all the incoming pod's required affinity terms. */
    readonly affinity: PairCounts,
    /** Domains holding pods matching one of the incoming pod's required anti-affinity terms. */
    readonly anti: PairCounts,
  ) {}

  /** Counts `other` (placed on `node`) in or out. */
  update(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    for (const t of other.requiredAntiAffinity)
      if (termMatches(t, pod, this.ns(pod.namespace))) this.existingAnti.bump(node, t.topologyKey, delta);
    if (matchesAll(pod.requiredAffinity, other, this.ns))
      for (const t of pod.requiredAffinity) this.affinity.bump(node, t.topologyKey, delta);
    for (const t of pod.requiredAntiAffinity)
      if (termMatches(t, other, this.ns(other.namespace))) this.anti.bump(node, t.topologyKey, delta);
  }

  clone(): FilterState {
    return new FilterState(this.ns, this.existingAnti.copy(), this.affinity.copy(), this.anti.copy());
  }
}

class ScoreState implements PluginState {
  constructor(readonly scores: PairCounts) {}
  clone(): this {
    return this;
  }
}

const SCORE_STATE = `${INTER_POD_AFFINITY}/score`;

export class InterPodAffinity implements FilterPlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;
  readonly weight = 2;

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Rejection | undefined {
    const own = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
    const ns: NsLabels = (n) => cluster.namespaceLabels(n);
    const s = new FilterState(ns, new PairCounts(), new PairCounts(), new PairCounts());
    let any = false;
    for (const node of cluster.nodes()) {
      if (!own && node.podsWithRequiredAntiAffinity === 0) continue;
      for (const other of node.pods.values()) {
        if (!own && other.requiredAntiAffinity.length === 0) continue;
        s.update(pod, other, node, 1);
        any = true;
      }
    }
    if (own || any) state.write(this.name, s);
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const s = state.read<FilterState>(this.name);
    if (!s) return undefined;
    if (pod.requiredAffinity.length) {
      let found = true;
      for (const t of pod.requiredAffinity) {
        const n = s.affinity.at(node, t.topologyKey);
        if (n === undefined) return reject(this.name, 'UnschedulableAndUnresolvable', AFFINITY_REASON);
        if (n <= 0) found = false;
      }
      // The first pod of a group that selects itself may go anywhere its topology keys exist.
      if (!found && !(s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod, s.ns)))
        return reject(this.name, 'UnschedulableAndUnresolvable', AFFINITY_REASON);
    }
    if (s.anti.size)
      for (const t of pod.requiredAntiAffinity)
        if ((s.anti.at(node, t.topologyKey) ?? 0) > 0)
          return reject(this.name, 'Unschedulable', ANTI_AFFINITY_REASON);
    if (s.existingAnti.size)
      for (const [k, v] of Object.entries(node.labels))
        if ((s.existingAnti.get(pair(k, v)) ?? 0) > 0)
          return reject(this.name, 'Unschedulable', EXISTING_ANTI_AFFINITY_REASON);
    return undefined;
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    state.read<FilterState>(this.name)?.update(pod, other, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    state.read<FilterState>(this.name)?.update(pod, other, node, -1);
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], cluster: ClusterView): boolean {
    const preferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    const scores = new PairCounts();
    const ns = (n: string) => cluster.namespaceLabels(n);
    let any = preferred;
    for (const node of cluster.nodes()) {
      if (!preferred && node.podsWithAffinity === 0) continue;
      for (const other of node.pods.values()) {
        const otherNs = ns(other.namespace);
        for (const t of pod.preferredAffinity)
          if (termMatches(t, other, otherNs)) scores.bump(node, t.topologyKey, t.weight);
        for (const t of pod.preferredAntiAffinity)
          if (termMatches(t, other, otherNs)) scores.bump(node, t.topologyKey, -t.weight);
        if (!other.hasAffinity) continue;
        any = true;
        const podNs = ns(pod.namespace);
        for (const t of other.requiredAffinity)
          if (termMatches(t, pod, podNs)) scores.bump(node, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
        for (const t of other.preferredAffinity)
          if (termMatches(t, pod, podNs)) scores.bump(node, t.topologyKey, t.weight);
        for (const t of other.preferredAntiAffinity)
          if (termMatches(t, pod, podNs)) scores.bump(node, t.topologyKey, -t.weight);
      }
    }
    if (!any) return false;
    state.write(SCORE_STATE, new ScoreState(scores));
    return true;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s || s.scores.size === 0) return 0;
    let sum = 0;
    for (const [k, v] of Object.entries(node.labels)) sum += s.scores.get(pair(k, v)) ?? 0;
    return sum;
  }

  normalize(state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s || s.scores.size === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (const v of scores) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++)
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  }
}
