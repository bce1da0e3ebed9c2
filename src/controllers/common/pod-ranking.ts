/**
 * Which pods a controller deletes first when it has too many (ReplicaSets scaling down, Jobs): the least useful ones, by Kubernetes'
 * ActivePodsWithRanks order (with its default LogarithmicScaleDown and PodDeletionCost behaviour):
 *  1. unscheduled before scheduled;
 *  2. Pending before Unknown before Running;
 *  3. not ready before ready;
 *  4. lower `controller.kubernetes.io/pod-deletion-cost` first;
 *  5. pods doubled up on a node with more related pods first;
 *  6. ready for less time first (compared in powers-of-two buckets, ties broken by uid);
 *  7. more container restarts first;
 *  8. newer first (same buckets).
 */
import type { Pod } from '../../client/objects.js';
import { isPodActive, isPodReady, podCondition } from '../common/pod-util.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** How many active related pods share this pod's node. */
  rank: number;
}

function time(s: unknown): number | undefined {
  if (typeof s !== 'string' || !s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function readyTime(pod: Pod): number | undefined {
  return isPodReady(pod) ? time(podCondition(pod, 'Ready')?.lastTransitionTime) : undefined;
}

/** Highest restart count of the regular containers, then of the sidecars (restartable init containers). */
function maxRestarts(pod: Pod): [number, number] {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  const sidecar = Math.max(
    0,
    ...(pod.status?.initContainerStatuses ?? [])
      .filter((c) => sidecars.has(c.name))
      .map((c) => c.restartCount ?? 0),
  );
  return [regular, sidecar];
}

/** floor(log2(age in ns)), or -1 for a time not in the past. */
function logBucket(t: number, nowMs: number): number {
  const ns = (nowMs - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/**
 * Younger first, treating times in the same power-of-two age bucket as equal (then by uid); a missing
 * time sorts first. Returns a negative number when `a` goes first.
 */
function compareAge(a: Pod, ta: number | undefined, b: Pod, tb: number | undefined, nowMs: number): number {
  if (ta === tb) return 0;
  if (ta === undefined) return -1;
  if (tb === undefined) return 1;
  const diff = logBucket(ta, nowMs) - logBucket(tb, nowMs);
  if (diff !== 0) return diff;
  return a.metadata.uid < b.metadata.uid ? -1 : a.metadata.uid > b.metadata.uid ? 1 : 0;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: RankedPod, b: RankedPod, nowMs = Date.now()): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return na ? 1 : -1;
  const pha = PHASE_ORDINAL[pa.status?.phase ?? ''] ?? 0;
  const phb = PHASE_ORDINAL[pb.status?.phase ?? ''] ?? 0;
  if (pha !== phb) return pha - phb;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const byReady = compareAge(pa, readyTime(pa), pb, readyTime(pb), nowMs);
    if (byReady !== 0) return byReady;
  }
  const [regA, sideA] = maxRestarts(pa);
  const [regB, sideB] = maxRestarts(pb);
  if (regA !== regB) return regB - regA;
  if (sideA !== sideB) return sideB - sideA;
  const created = compareAge(
    pa,
    time(pa.metadata.creationTimestamp),
    pb,
    time(pb.metadata.creationTimestamp),
    nowMs,
  );
  return created;
}

/** Each pod with the number of active `related` pods on its node. */
export function rankByRelatedPodsOnNode(pods: Pod[], related: Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of related)
    if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/** The `count` pods of `pods` to delete first. */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, nowMs = Date.now()): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  return rankByRelatedPodsOnNode(pods, related)
    .sort((a, b) => compareForDeletion(a, b, nowMs))
    .slice(0, count)
    .map((r) => r.pod);
}

/** Sort comparator over bare pods (no node ranks), for controllers that do not spread by node. */
export function deletionOrder(a: Pod, b: Pod): number {
  return compareForDeletion({ pod: a, rank: 0 }, { pod: b, rank: 0 });
}
