/**
 * metav1.Condition lists in status (PodDisruptionBudget, and any API using the standard condition
 * shape), kept as apimachinery's SetStatusCondition keeps them: lastTransitionTime moves only when the
 * status changes.
 */
import { now } from '../../apimachinery/meta.js';

export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** `conditions` with `c` set (a new array); the time is the transition time if the status changed. */
export function setStatusCondition(
  conditions: readonly StatusCondition[] | undefined,
  c: Omit<StatusCondition, 'lastTransitionTime'>,
  at: string = now(),
): StatusCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: StatusCondition = {
    ...c,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : at,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function findStatusCondition(
  conditions: readonly StatusCondition[] | undefined,
  type: string,
): StatusCondition | undefined {
  return conditions?.find((c) => c.type === type);
}
