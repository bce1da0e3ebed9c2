/**
 * Taints and tolerations as Kubernetes matches them (core/v1 helpers): the well-known node taints,
 * which toleration tolerates which taint, and whether a set of tolerations covers a set of taints.
 */
import type { Taint, Toleration } from '../../client/objects.js';

/** The taints the node lifecycle controller manages (k8s.io/api/core/v1 well_known_taints.go). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
/** Set by an administrator on a node that is down for good: its terminating pods are force-deleted. */
export const TAINT_NODE_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** Toleration.ToleratesTaint: empty effect or key match any; operator Exists ignores the value. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/**
 * Whether every taint is tolerated, and the first toleration that tolerates each (GetMatchingTolerations).
 * No taints are always tolerated.
 */
export function matchingTolerations(
  taints: Taint[],
  tolerations: Toleration[],
): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** Same key and effect: how taints are told apart on a node (the value does not count). */
export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function toleratedBy(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** The first taint passing `which` that no toleration tolerates. */
export function firstUntolerated(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  which: (t: Taint) => boolean = () => true,
): Taint | undefined {
  return (taints ?? []).find((taint) => which(taint) && !toleratedBy(tolerations ?? [], taint));
}
