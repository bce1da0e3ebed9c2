/** How the Job controller judges its pods: failed or not, which to remove, per-index failure counts. */
import type { Job, Pod } from '../../client/objects.js';
import { deletionOrder } from '../common/pod-ranking.js';
import { isPodTerminal } from '../common/pod-util.js';
import {
  INDEX_FAILURE_COUNT_KEY,
  INDEX_IGNORED_FAILURE_COUNT_KEY,
  annotationCount,
  completionIndexOf,
  podFinishedAt,
} from './job-util.js';
import { matchPodFailurePolicy } from './policies.js';

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed';
export const hasBackoffLimitPerIndex = (job: Job): boolean => job.spec?.backoffLimitPerIndex !== undefined;
export const isSuspended = (job: Job): boolean => job.spec?.suspend === true;

/** Replacement pods wait until the old ones are terminal (podReplacementPolicy Failed, or a pod failure policy). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;
}

/** Failed, or — unless only terminal pods are replaced — deleted before it could succeed. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp) && !isPodTerminal(pod);
}

/** restartPolicy OnFailure: the kubelet restarts containers, and the restarts count against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])])
      restarts += s.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** A valid completion index of this Job (below completions), or undefined. */
export function validIndexOf(pod: Pod, job: Job): number | undefined {
  const ix = completionIndexOf(pod);
  return ix !== undefined && ix < (job.spec?.completions ?? 0) ? ix : undefined;
}

/**
 * The `count` active pods to remove first: for an Indexed Job also every pod without a valid index
 * and all but one pod of a repeated index, whatever `count` says.
 */
export function activePodsForRemoval(job: Job, active: Pod[], count: number): Pod[] {
  const rm: Pod[] = [];
  let left = active;
  if (isIndexed(job)) {
    left = [];
    const byIndex = new Map<number, Pod[]>();
    for (const p of active) {
      const ix = validIndexOf(p, job);
      if (ix === undefined) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const group of byIndex.values()) {
      group.sort(deletionOrder);
      rm.push(...group.slice(0, -1));
      left.push(group[group.length - 1]!);
    }
  }
  if (rm.length < count) rm.push(...[...left].sort(deletionOrder).slice(0, count - rm.length));
  return rm;
}

/** The failure counts a replacement of `failed` carries: counted and ignored failures in its index. */
export function nextIndexFailureCounts(
  job: Job,
  failed: Pod | undefined,
): { counted: number; ignored: number } {
  if (!failed) return { counted: 0, ignored: 0 };
  let counted = annotationCount(failed, INDEX_FAILURE_COUNT_KEY);
  let ignored = annotationCount(failed, INDEX_IGNORED_FAILURE_COUNT_KEY);
  if (matchPodFailurePolicy(job.spec?.podFailurePolicy, failed).countFailed) counted++;
  else ignored++;
  return { counted, ignored };
}

export const absoluteFailureCount = (pod: Pod): number =>
  annotationCount(pod, INDEX_FAILURE_COUNT_KEY) + annotationCount(pod, INDEX_IGNORED_FAILURE_COUNT_KEY);

/** With backoffLimitPerIndex: whether this failed pod used up its index (or a FailIndex rule matched). */
export function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  const match = matchPodFailurePolicy(job.spec?.podFailurePolicy, pod);
  if (match.action === 'FailIndex') return true;
  return (
    match.countFailed &&
    annotationCount(pod, INDEX_FAILURE_COUNT_KEY) >= (job.spec?.backoffLimitPerIndex ?? 0)
  );
}

/** For each index without an active pod, the latest failed pod: what a replacement continues counting from. */
export function lastFailedPodPerIndex(job: Job, pods: Pod[]): Map<number, Pod> {
  const out = new Map<number, Pod>();
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const ix = validIndexOf(p, job);
    if (ix === undefined) continue;
    const prev = out.get(ix);
    if (
      !prev ||
      absoluteFailureCount(prev) < absoluteFailureCount(p) ||
      (absoluteFailureCount(prev) === absoluteFailureCount(p) && podFinishedAt(p) >= podFinishedAt(prev))
    )
      out.set(ix, p);
  }
  return out;
}
