/**
 * The arithmetic of a PodDisruptionBudget's status, as kube-controller-manager's disruption controller
 * does it: how many pods are expected and how many must stay healthy (minAvailable / maxUnavailable as
 * counts or percentages rounded up against the controllers' scale), which pods are healthy, which
 * approved evictions are still pending, and the DisruptionAllowed condition.
 */
import type { Pod, PodDisruptionBudget } from '../../client/objects.js';
import { setStatusCondition } from '../common/conditions.js';
import type { StatusCondition } from '../common/conditions.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { scaledValueFromIntOrPercent } from '../common/int-or-percent.js';
import { isPodReady } from '../common/pod-util.js';

/** An eviction not followed by the pod's deletion within this long is forgotten. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';

export type PdbStatus = NonNullable<PodDisruptionBudget['status']>;

/** A controller's uid and scale (spec.replicas), as found from a pod's controller reference. */
export interface ControllerScale {
  uid: string;
  replicas: number;
}

export type ScaleFinder = (
  ref: NonNullable<ReturnType<typeof controllerRefOf>>,
  namespace: string,
) => Promise<ControllerScale | undefined>;

/**
 * The sum of the scales of the controllers of `pods`; pods without a controller are returned as
 * unmanaged. Throws when a pod's controller cannot be found.
 */
export async function expectedScale(
  pods: Pod[],
  find: ScaleFinder,
): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = await find(ref, pod.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name)}`);
    scales.set(found.uid, found.replicas);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}

/** expectedPods and desiredHealthy of the budget over these (selected) pods. */
export async function expectedPodCount(
  pdb: PodDisruptionBudget,
  pods: Pod[],
  find: ScaleFinder,
): Promise<{ expected: number; desired: number; unmanaged: string[] }> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expected, unmanaged } = await expectedScale(pods, find);
    const maxUnavailable = scaledValueFromIntOrPercent(spec.maxUnavailable, expected, true);
    return { expected, desired: Math.max(0, expected - maxUnavailable), unmanaged };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number')
      return { expected: pods.length, desired: spec.minAvailable, unmanaged: [] };
    const { expected, unmanaged } = await expectedScale(pods, find);
    return { expected, desired: scaledValueFromIntOrPercent(spec.minAvailable, expected, true), unmanaged };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

const disruptionTime = (t: unknown) => (typeof t === 'string' ? Date.parse(t) : NaN);

/**
 * The disruptedPods entries still pending at `nowMs`: pods that exist, are not yet being deleted, and
 * were evicted less than DELETION_TIMEOUT_MS ago. Also the pods whose deletion never came (for an
 * event), and when the earliest pending entry expires.
 */
export function pendingDisruptions(
  pods: Pod[],
  disrupted: Record<string, unknown> | undefined,
  nowMs: number,
): { pending: Record<string, string>; overdue: Pod[]; recheckAt: number | undefined } {
  const pending: Record<string, string> = {};
  const overdue: Pod[] = [];
  let recheckAt: number | undefined;
  if (!disrupted) return { pending, overdue, recheckAt };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name];
    if (at === undefined) continue;
    const expectedDeletion = disruptionTime(at) + DELETION_TIMEOUT_MS;
    if (Number.isNaN(expectedDeletion) || expectedDeletion < nowMs) overdue.push(pod);
    else {
      pending[pod.metadata.name] = at as string;
      if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
    }
  }
  return { pending, overdue, recheckAt };
}

/** Ready pods that are neither being deleted nor about to be (a pending eviction). */
export function countHealthyPods(pods: Pod[], pending: Record<string, string>, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = pending[pod.metadata.name];
    if (at !== undefined && disruptionTime(at) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/**
 * The new status; disruptions are allowed only while pods are expected, so a budget whose first pods
 * just appeared stays safe until it is computed again.
 */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  counts: { currentHealthy: number; desiredHealthy: number; expectedPods: number },
  pending: Record<string, string>,
): PdbStatus {
  const allowed = counts.expectedPods > 0 ? Math.max(0, counts.currentHealthy - counts.desiredHealthy) : 0;
  const observedGeneration = pdb.metadata.generation ?? 1;
  const status: PdbStatus = {
    observedGeneration,
    currentHealthy: counts.currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedPods,
    disruptionsAllowed: allowed,
  };
  if (Object.keys(pending).length) status.disruptedPods = pending;
  status.conditions = setStatusCondition(pdb.status?.conditions as StatusCondition[] | undefined, {
    type: DISRUPTION_ALLOWED,
    status: allowed > 0 ? 'True' : 'False',
    reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
    message: '',
    observedGeneration,
  });
  return status;
}

/** The status after a failed sync: no disruptions, and why. */
export function failSafeStatus(pdb: PodDisruptionBudget, err: unknown): PdbStatus {
  const old = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
  return {
    ...old,
    disruptionsAllowed: 0,
    conditions: setStatusCondition(old.conditions as StatusCondition[] | undefined, {
      type: DISRUPTION_ALLOWED,
      status: 'False',
      reason: 'SyncFailed',
      message: err instanceof Error ? err.message : String(err),
      observedGeneration: old.observedGeneration,
    }),
  };
}
