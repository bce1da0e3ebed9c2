/**
 * NodeResourcesBalancedAllocation: favours nodes whose CPU and memory would be used in equal shares
 * after placing the pod: score = (1 - |cpuShare - memoryShare| / 2) * 100 (weight 1). Best-effort pods
 * (no requests) are not scored, as kube-scheduler skips them.
 */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { MAX_NODE_SCORE } from '../framework/types.js';
import type { CycleState, ScorePlugin } from '../framework/types.js';

/** Standard deviation of the used shares (each capped at 1) of the resources the node has. */
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  const shares: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    const alloc = allocatable[i]!;
    if (alloc === 0) continue;
    shares.push(Math.min(1, requested[i]! / alloc));
  }
  let std = 0;
  if (shares.length === 2) std = Math.abs((shares[0]! - shares[1]!) / 2);
  else if (shares.length > 2) {
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    std = Math.sqrt(shares.reduce((a, s) => a + (s - mean) * (s - mean), 0) / shares.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';
  readonly weight = 1;

  preScore(_state: CycleState, pod: PodInfo): boolean {
    return pod.requests.cpu !== 0 || pod.requests.memory !== 0;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return balancedScore(
      [node.requested.cpu + pod.requests.cpu, node.requested.memory + pod.requests.memory],
      [node.allocatable.cpu, node.allocatable.memory],
    );
  }
}
