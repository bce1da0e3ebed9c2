/**
 * The status a ReplicaSet or ReplicationController reports: counts of its pods (all, fully labelled,
 * ready, available) and the ReplicaFailure condition while creating or deleting pods fails.
 */
import { now } from '../../apimachinery/meta.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { selectorFromSet } from '../../apimachinery/labels/index.js';
import type { Pod, PodTemplateSpec } from '../../client/objects.js';
import { canonicalJson } from '../common/hash.js';
import { isPodAvailable, isPodReady, podCondition } from '../common/pod-util.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

/** What the ReplicaSet and ReplicationController controllers read of their owners (same field names). */
export type ReplicaOwner = StoredObject & {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: PodTemplateSpec;
  };
  status?: ReplicaStatus;
};

export const REPLICA_FAILURE = 'ReplicaFailure';

/** The new status of `owner` given its active pods and the error of this round of creates/deletes. */
export function calculateReplicaStatus(
  owner: ReplicaOwner,
  pods: Pod[],
  manageError: Error | undefined,
  nowMs = Date.now(),
): ReplicaStatus {
  const templateLabels = selectorFromSet(owner.spec?.template?.metadata?.labels ?? {});
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowMs)) available++;
    }
  }
  let conditions = [...(owner.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: now(),
      reason,
      message: manageError.message,
    });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c !== failure);
  }
  const status: ReplicaStatus = { replicas: pods.length };
  // Zero counts are left out, as the API's omitempty fields are.
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (owner.status?.observedGeneration) status.observedGeneration = owner.status.observedGeneration;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Milliseconds until the next ready pod becomes available (undefined when none is waiting). */
export function nextAvailableInMs(
  pods: Pod[],
  minReadySeconds: number,
  nowMs = Date.now(),
): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, nowMs)) continue;
    const since = Date.parse(String(podCondition(pod, 'Ready')?.lastTransitionTime ?? ''));
    const wait = Number.isNaN(since) ? minReadySeconds * 1000 : since + minReadySeconds * 1000 - nowMs;
    soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  return soonest === undefined ? undefined : Math.max(0, soonest);
}

/** Whether two statuses say the same (ignoring key order). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
