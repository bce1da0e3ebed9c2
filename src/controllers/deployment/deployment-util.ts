/**
 * The arithmetic and bookkeeping of Deployments, free of I/O (kubernetes/pkg/controller/deployment/util
 * semantics): surge and unavailability bounds, how far a new ReplicaSet may grow, proportional scaling,
 * revisions and the annotations that carry them, the new/old ReplicaSet split, and the status and
 * conditions a Deployment reports.
 */
import { scaledValueFromIntOrPercent } from '../common/int-or-percent.js';
import { now } from '../../apimachinery/meta.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../client/objects.js';
import { canonicalJson } from '../common/hash.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** The longest revision-history annotation the controller writes. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations that are not copied onto its ReplicaSets. */
const ANNOTATIONS_NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

// Condition types and reasons, as kubectl and users match them.
export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';
export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'FailedRSCreate',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];
type IntOrPercent = number | string | undefined;

export const specReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1;
export const desiredReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

// ---- surge and unavailability ---------------------------------------------------------------------

/** An int-or-percent against `total` (absent means 0). */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  return v === undefined ? 0 : scaledValueFromIntOrPercent(v, total, roundUp);
}

/**
 * The absolute surge (rounded up) and unavailability (rounded down) of a rolling update of `desired`
 * replicas. Both zero would block the rollout, so unavailability becomes 1 then.
 */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

function fenceposts(d: Deployment) {
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredReplicas(d));
}

/** How many pods above the desired count a rolling update may run. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** How many of the desired pods may be unavailable during a rolling update (never more than desired). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || desiredReplicas(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desiredReplicas(d));
}

// ---- replica counts --------------------------------------------------------------------------------

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Pods the ReplicaSets want (spec). */
export const replicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, specReplicas);
/** Pods the ReplicaSets have (status). */
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]) =>
  sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]) =>
  sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]) =>
  sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** ReplicaSets that want pods. */
export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** How many replicas the new ReplicaSet may have now. */
export function newRSNewReplicas(
  d: Deployment,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
): number {
  if (!isRollingUpdate(d)) return desiredReplicas(d);
  const desired = desiredReplicas(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  const maxTotal = desired + scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const current = replicaCount(allRSs);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

// ---- ordering --------------------------------------------------------------------------------------

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp) || 0;

/** Oldest first; ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : 1);
}

/** Larger first; equal sizes newest first (which to grow first). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Larger first; equal sizes oldest first (which to shrink first). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

// ---- revisions and annotations ---------------------------------------------------------------------

/** The revision a ReplicaSet carries (0 when it has none or it is not a number). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Oldest revision first; ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Sets the desired/max replica annotations; whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  if (a[DESIRED_REPLICAS_ANNOTATION] === String(desired) && a[MAX_REPLICAS_ANNOTATION] === String(max))
    return false;
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * Brings a new ReplicaSet's annotations up to date: the Deployment's own annotations (change-cause
 * and the like), the revision (never lowered; a raised revision on an existing ReplicaSet is a
 * rollback, so its previous revision joins the revision history), and for a ReplicaSet about to be
 * created the replica annotations. Whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  historyLimitChars = MAX_REVISION_HISTORY_CHARS,
): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldText = a[REVISION_ANNOTATION];
  if (oldText !== undefined && oldText !== '' && !/^\d+$/.test(oldText)) return false;
  const old = oldText ? Number(oldText) : 0;
  if (old < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      if (!history) a[REVISION_HISTORY_ANNOTATION] = oldText;
      else {
        const kept = history.split(',');
        let length = history.length + oldText.length + 1;
        while (length > historyLimitChars && kept.length) length -= kept.shift()!.length + 1;
        if (length <= historyLimitChars) a[REVISION_HISTORY_ANNOTATION] = [...kept, oldText].join(',');
      }
    }
  }
  const desired = desiredReplicas(d);
  if (!exists && setReplicasAnnotations(rs, desired, desired + maxSurge(d))) changed = true;
  return changed;
}

// ---- templates and the new/old split ---------------------------------------------------------------

/**
 * A template in the form Kubernetes' semantic equality sees: no pod-template-hash label, and absent,
 * null, empty-list and empty-map fields all alike.
 */
export function comparableTemplate(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return pruneEmpty(copy);
}

function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneEmpty);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneEmpty(x);
      if (p === null || p === undefined) continue;
      if (Array.isArray(p) && p.length === 0) continue;
      if (typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}

/** Equal templates apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(comparableTemplate(a)) === canonicalJson(comparableTemplate(b));
}

/** The oldest ReplicaSet whose template is the Deployment's (a rollback finds an old one here). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** The only ReplicaSet that wants pods, or the newest one when none does; undefined when several do. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? newestFirst[0];
  return undefined;
}

/** The new ReplicaSet has all the desired pods, available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (desired === undefined || !/^\d+$/.test(desired)) return false;
  const want = desiredReplicas(d);
  return (
    specReplicas(rs) === want && Number(desired) === want && (rs.status?.availableReplicas ?? 0) === want
  );
}

// ---- proportional scaling --------------------------------------------------------------------------

/** The change in size of `rs` that keeps its share of the Deployment when the Deployment is resized. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const maxNow = desiredReplicas(d) + maxSurge(d);
  const annotated = rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION];
  let maxBefore = annotated !== undefined && /^\d+$/.test(annotated) ? Number(annotated) : 0;
  if (maxBefore === 0) {
    maxBefore = d.status?.replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  return roundHalfAway((specReplicas(rs) * maxNow) / maxBefore) - specReplicas(rs);
}

const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** The share of `toAdd` (positive or negative) that `rs` takes, given `added` already handed out. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * New sizes for the active ReplicaSets of a resized Deployment mid-rollout: the change is spread in
 * proportion to their sizes (largest first; newer first when growing, older first when shrinking),
 * and what rounding leaves over goes to the first. Sizes in the order to apply them.
 */
export function proportionalSizes(
  d: Deployment,
  active: ReplicaSet[],
): { direction: 'up' | 'down' | ''; sizes: [ReplicaSet, number][] } {
  const desired = desiredReplicas(d);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(active);
  const direction = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '';
  const ordered = [...active];
  if (toAdd > 0) ordered.sort(bySizeNewer);
  else if (toAdd < 0) ordered.sort(bySizeOlder);
  let added = 0;
  const sizes: [ReplicaSet, number][] = ordered.map((rs) => {
    if (toAdd === 0) return [rs, specReplicas(rs)];
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return [rs, specReplicas(rs) + p];
  });
  if (toAdd !== 0 && sizes[0]) sizes[0][1] = Math.max(0, sizes[0][1] + toAdd - added);
  return { direction, sizes };
}

// ---- conditions and status -------------------------------------------------------------------------

export function newCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
): DeploymentCondition {
  const t = now();
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Sets a condition; one with the same status and reason is left alone, an unchanged status keeps its transition time. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const current = getCondition(status, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  const next = { ...c };
  if (current && current.status === c.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const kept = (status.conditions ?? []).filter((c) => c.type !== type);
  if (kept.length) status.conditions = kept;
  else delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** All desired replicas are updated and available, and nothing else runs. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

/** The new status shows progress over the Deployment's recorded one. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress for longer than progressDeadlineSeconds since the Progressing condition last changed. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = Date.parse(String(c.lastUpdateTime ?? ''));
  if (Number.isNaN(from)) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < nowMs;
}

/** The Deployment's status from its ReplicaSets, with the Available condition (other conditions kept). */
export function calculateStatus(
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  const fields = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  const status: DeploymentStatus = {};
  // Zero counts are left out, as the API's omitempty fields are.
  for (const [k, v] of Object.entries(fields)) if (v) (status as Record<string, number>)[k] = v;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= desiredReplicas(d) - maxUnavailable(d))
    setCondition(
      status,
      newCondition(AVAILABLE, 'True', REASON.minimumAvailable, 'Deployment has minimum availability.'),
    );
  else
    setCondition(
      status,
      newCondition(
        AVAILABLE,
        'False',
        REASON.minimumUnavailable,
        'Deployment does not have minimum availability.',
      ),
    );
  return status;
}
