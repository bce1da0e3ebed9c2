/**
 * DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where removing lower-priority
 * pods would make it fit, keep as many of those pods as still allows it (most important first, pods
 * whose PodDisruptionBudget would be violated first of all), and pick the node whose victims matter
 * least: fewest PDB violations, lowest top victim priority, lowest priority sum, fewest victims, most
 * recently started. Nodes rejected as UnschedulableAndUnresolvable are not considered.
 */
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { PodDisruptionBudget } from '../../client/objects.js';
import { fitErrorMessage, statusOf } from './fit-error.js';
import type { Diagnosis } from './fit-error.js';
import type { Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { Nominator } from './nominator.js';
import { moreImportant } from './pod-info.js';
import type { PodInfo } from './pod-info.js';
import { reject } from './types.js';
import type { ClusterView, CycleState, Rejection } from './types.js';

export const NO_VICTIMS_REASON = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL_REASON = 'Preemption is not helpful for scheduling';
const PLUGIN = 'DefaultPreemption';
/** DefaultPreemptionArgs defaults: dry-run at least 10% of the candidate nodes, and at least 100. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface Candidate {
  node: string;
  /** Most important first. */
  victims: PodInfo[];
  pdbViolations: number;
}

export interface PreemptionOutcome {
  /** The node the pod is nominated to, and who must go to make room there. */
  candidate?: Candidate;
  /** Why there is none, as the PostFilter message (`preemption: ...`). */
  message?: string;
  /** The pod's current nomination no longer holds. */
  clearNomination: boolean;
}

export interface PreemptionInput {
  fw: Framework;
  cluster: ClusterView;
  nominator: Nominator;
  pdbs: readonly PodDisruptionBudget[];
  pod: PodInfo;
  preemptionPolicy: string;
  state: CycleState;
  diagnosis: Diagnosis;
  random?: () => number;
}

/** A pod that this scheduler is already deleting to make room (DisruptionTarget by preemption). */
export function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.terminating) return false;
  const c = p.pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

function eligibility(input: PreemptionInput): string | undefined {
  const { pod, cluster, diagnosis } = input;
  if (input.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.pod.status?.nominatedNodeName;
  if (!nominated) return undefined;
  if (statusOf(diagnosis, nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
  const node = cluster.node(nominated);
  if (!node) return undefined;
  for (const p of node.pods.values())
    if (p.priority < pod.priority && terminatingByPreemption(p))
      return 'not eligible due to a terminating pod on the nominated node.';
  return undefined;
}

export function preempt(input: PreemptionInput): PreemptionOutcome {
  const why = eligibility(input);
  if (why) return { message: `preemption: ${why}`, clearNomination: false };
  const { cluster, diagnosis } = input;
  const all = cluster.nodes();
  const potential = all.filter((n) => statusOf(diagnosis, n.name)?.code === 'Unschedulable');
  const statuses = new Map<string, Rejection>();
  const candidates: Candidate[] = [];
  if (potential.length) {
    const random = input.random ?? Math.random;
    const offset = Math.floor(random() * potential.length);
    const wanted = Math.min(
      potential.length,
      Math.max(
        MIN_CANDIDATE_NODES_ABSOLUTE,
        Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100),
      ),
    );
    let nonViolating = 0;
    for (let i = 0; i < potential.length; i++) {
      const node = potential[(offset + i) % potential.length]!;
      const r = selectVictimsOnNode(input, node);
      if ('rejection' in r) {
        statuses.set(node.name, r.rejection);
        continue;
      }
      candidates.push(r);
      if (r.pdbViolations === 0) nonViolating++;
      if (nonViolating > 0 && candidates.length >= wanted) break;
    }
  }
  if (candidates.length === 0) {
    const message = fitErrorMessage({
      numAllNodes: all.length,
      nodeToStatus: statuses,
      absentStatus: reject(PLUGIN, 'UnschedulableAndUnresolvable', NOT_HELPFUL_REASON),
      unschedulablePlugins: new Set(),
    });
    return { message: `preemption: ${message}`, clearNomination: true };
  }
  return { candidate: pickOne(candidates), clearNomination: false };
}

/** The fewest, least important pods to remove from `node` for the pod to fit, or why there are none. */
export function selectVictimsOnNode(
  input: PreemptionInput,
  original: NodeInfo,
): Candidate | { rejection: Rejection } {
  const { fw, pod, nominator } = input;
  const state = input.state.clone();
  const node = original.clone();
  const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (potential.length === 0)
    return { rejection: reject(PLUGIN, 'UnschedulableAndUnresolvable', NO_VICTIMS_REASON) };
  for (const p of potential) fw.removePod(state, pod, p, node);
  const nominated = nominator.blocking(node.name, pod);
  const fits = () => !fw.filterWithNominated(state, pod, node, nominated);
  const first = fw.filterWithNominated(state, pod, node, nominated);
  if (first) return { rejection: first };
  potential.sort(moreImportant);
  const { violating, nonViolating } = splitByPdbViolation(potential, input.pdbs);
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    fw.addPod(state, pod, p, node);
    if (fits()) return true;
    fw.removePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) pdbViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length && nonViolating.length) victims.sort(moreImportant);
  if (victims.length === 0)
    return {
      rejection: reject(PLUGIN, 'Unschedulable', `expected at least one victim pod on node "${node.name}"`),
    };
  return { node: node.name, victims, pdbViolations };
}

/** Pods whose eviction would take a matching PDB below its allowed disruptions, and the others. */
export function splitByPdbViolation(
  pods: readonly PodInfo[],
  pdbs: readonly PodDisruptionBudget[],
): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((b) => {
    try {
      return selectorFromLabelSelector(b.spec?.selector);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length)
      pdbs.forEach((b, i) => {
        const sel = selectors[i];
        if (b.metadata.namespace !== p.namespace || !sel || sel.empty() || !sel.matches(p.labels)) return;
        if (b.status?.disruptedPods && p.name in b.status.disruptedPods) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** kube's pickOneNodeForPreemption: each criterion narrows the field until one node is left. */
export function pickOne(candidates: readonly Candidate[]): Candidate {
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.pdbViolations,
    (c) => -(c.victims[0]?.priority ?? 0),
    (c) => -c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    // The latest start among the most important victims: disturb what started last.
    (c) =>
      Math.min(...c.victims.filter((v) => v.priority === c.victims[0]?.priority).map((v) => v.startTime)),
  ];
  let field = [...candidates];
  for (const score of criteria) {
    if (field.length === 1) break;
    const scores = field.map(score);
    const best = Math.max(...scores);
    field = field.filter((_, i) => scores[i] === best);
  }
  return field[0]!;
}
