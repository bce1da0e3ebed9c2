/**
 * Which pods the pod garbage collector removes (pure, so it is tested without a cluster):
 * - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold, evicted ones first, then
 *   the oldest;
 * - terminating pods on a node that is not Ready and carries node.kubernetes.io/out-of-service;
 * - pods bound to a node that no longer exists (after a quarantine, see OrphanQuarantine);
 * - terminating pods never bound to a node.
 */
import type { Node, Pod } from '../../client/objects.js';
import { TAINT_NODE_OUT_OF_SERVICE } from '../../api/core/taints.js';

export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

const isEvicted = (pod: Pod) => pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';

/** Evicted pods first, then by creation time, then by name. */
export function byEvictionAndCreation(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** The terminated pods to delete so that at most `threshold` remain (none when threshold <= 0). */
export function terminatedPodsOverThreshold(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return terminated.sort(byEvictionAndCreation).slice(0, excess);
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Terminating pods on nodes that are not Ready and tainted out-of-service. */
export function terminatingPodsOnOutOfServiceNodes(pods: Pod[], nodes: Map<string, Node>): Pod[] {
  return pods
    .filter((p) => {
      if (!p.metadata.deletionTimestamp) return false;
      const node = nodes.get(p.spec?.nodeName ?? '');
      return (
        node !== undefined &&
        !isNodeReady(node) &&
        (node.spec?.taints ?? []).some((t) => t.key === TAINT_NODE_OUT_OF_SERVICE)
      );
    })
    .sort(byEvictionAndCreation);
}

/** Terminating pods that were never bound to a node. */
export function unscheduledTerminatingPods(pods: Pod[]): Pod[] {
  return pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName);
}

/**
 * Node names pods are bound to that the node cache does not have. A name must stay missing for the
 * quarantine time (the cache may lag a new node) before it is checked against the API and its pods
 * go; `due` returns the names whose quarantine is over.
 */
export class OrphanQuarantine {
  private readonly since = new Map<string, number>();

  constructor(private readonly quarantineMs: number) {}

  due(pods: Pod[], existing: Set<string>, nowMs: number): string[] {
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !existing.has(n)) missing.add(n);
    }
    for (const n of [...this.since.keys()]) if (!missing.has(n)) this.since.delete(n);
    const out: string[] = [];
    for (const n of missing) {
      const first = this.since.get(n);
      if (first === undefined) this.since.set(n, nowMs);
      else if (nowMs - first >= this.quarantineMs) out.push(n);
    }
    return out;
  }

  /** The node turned out to exist, or its pods were dealt with: start over if it is missing again. */
  forget(name: string): void {
    this.since.delete(name);
  }
}
