/**
 * Why a pod fits nowhere, in kube-scheduler's words (FitError.Error()):
 * `0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 Insufficient cpu.`
 * followed by the PostFilter (preemption) message. Reasons are counted per node, printed as
 * `<count> <reason>`, sorted as strings and joined with `, `.
 */
import type { Rejection } from './types.js';

export interface Diagnosis {
  numAllNodes: number;
  /** The rejection of each node that was judged. */
  nodeToStatus: Map<string, Rejection>;
  /** The rejection of every node not in nodeToStatus (a PreFilter rejection, or preemption's default). */
  absentStatus?: Rejection;
  /** A PreFilter plugin's rejection message: then the per-node reasons are not listed. */
  preFilterMsg?: string;
  postFilterMsg?: string;
  /** Plugins that rejected the pod somewhere: the cluster events that may help it depend on them. */
  unschedulablePlugins: Set<string>;
}

export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const status of d.nodeToStatus.values())
      for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = d.numAllNodes - d.nodeToStatus.size;
    if (absent > 0 && d.absentStatus)
      for (const r of d.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort(byBytes);
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings order. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The code a node's rejection has for preemption; PreFilter rejections apply to all nodes. */
export function statusOf(d: Diagnosis, node: string): Rejection | undefined {
  return d.nodeToStatus.get(node) ?? d.absentStatus;
}
