/** Whether tolerations tolerate taints, as k8s.io/api/core/v1's Toleration.ToleratesTaint decides. */
import type { Taint, Toleration } from '../../client/objects.js';

/** An empty effect tolerates every effect; an empty key with Exists tolerates every key. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function toleratedBy(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => tolerates(t, taint));
}

/** The first taint passing `which` that no toleration tolerates. */
export function firstUntolerated(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  which: (t: Taint) => boolean,
): Taint | undefined {
  return taints.find((taint) => which(taint) && !toleratedBy(tolerations, taint));
}
