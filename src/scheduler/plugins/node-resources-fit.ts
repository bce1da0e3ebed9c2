/**
 * NodeResourcesFit: the pod's requests must fit in what the node's allocatable leaves free, and the
 * pod count must stay within allocatable pods (filter). Its default scoring strategy, LeastAllocated,
 * favours nodes with more CPU and memory free after placing the pod (weight 1).
 */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { MAX_NODE_SCORE, reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, Rejection, ScorePlugin } from '../framework/types.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

/** The reasons the pod does not fit on the node: `Too many pods`, `Insufficient cpu`, ... */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPods) out.push('Too many pods');
  const req = pod.requests;
  if (req.cpu === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar?.size) return out;
  const free = (alloc: number, used: number) => alloc - used;
  if (req.cpu > 0 && req.cpu > free(node.allocatable.cpu, node.requested.cpu)) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > free(node.allocatable.memory, node.requested.memory))
    out.push('Insufficient memory');
  if (
    req.ephemeralStorage > 0 &&
    req.ephemeralStorage > free(node.allocatable.ephemeralStorage, node.requested.ephemeralStorage)
  )
    out.push('Insufficient ephemeral-storage');
  if (req.scalar)
    for (const [name, want] of req.scalar) {
      if (want === 0) continue;
      const alloc = node.allocatable.scalar?.get(name) ?? 0;
      const used = node.requested.scalar?.get(name) ?? 0;
      if (want > alloc - used) out.push(`Insufficient ${name}`);
    }
  return out;
}

/** (allocatable - requested) as a share of allocatable, 0..100; 0 when over-committed or unknown. */
export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** LeastAllocated over cpu and memory (weight 1 each), with defaulted requests for request-less containers. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastRequestedScore(node.nonZeroCpu + pod.nonZeroCpu, node.allocatable.cpu);
  const memory = leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
  return Math.trunc((cpu + memory) / 2);
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  readonly weight = 1;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const reasons = insufficientResources(pod, node);
    return reasons.length ? reject(this.name, 'Unschedulable', ...reasons) : undefined;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return leastAllocatedScore(pod, node);
  }
}
