/**
 * StatefulSet pod identity as pure functions: names `<set>-<ordinal>`, the per-ordinal claims
 * `<claim>-<set>-<ordinal>`, the pod built for an ordinal at a revision, and the health checks the
 * ordered pod management waits on.
 */
import type { OwnerReference } from '../../apimachinery/meta.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, StatefulSet } from '../../client/objects.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/history.js';
import { podFromTemplate } from '../common/pod-control.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_SUFFIX = /^(.*)-(\d+)$/;

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicaCount(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** The ordinal of a pod of `set` (named `<set>-<n>`), or undefined for any other name. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const m = ORDINAL_SUFFIX.exec(pod.metadata.name);
  if (!m || m[1] !== set.metadata.name) return undefined;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function inOrdinalRange(set: StatefulSet, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicaCount(set);
}

export function claimName(claimTemplate: string, set: StatefulSet, ordinal: number): string {
  return `${claimTemplate}-${set.metadata.name}-${ordinal}`;
}

/** The claims the pod of `ordinal` uses, built from the volumeClaimTemplates (not yet sent). */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const claim = structuredClone(t) as Record<string, unknown> & { metadata?: Record<string, unknown> };
    const meta = claim.metadata ?? {};
    return {
      ...claim,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...meta,
        name: claimName(t.metadata?.name ?? '', set, ordinal),
        namespace: set.metadata.namespace,
        labels: {
          ...((meta['labels'] as Record<string, string> | undefined) ?? {}),
          ...(set.spec?.selector.matchLabels ?? {}),
        },
      },
    } as unknown as PersistentVolumeClaim;
  });
}

/**
 * The pod of `ordinal` from `template` (the template of `revision`): its stable name, hostname and
 * subdomain (the governing service), the identity labels, and a volume per claim template in
 * place of any template volume of that name.
 */
export function statefulPod(
  set: StatefulSet,
  template: PodTemplateSpec,
  ordinal: number,
  revision: string,
): Pod {
  const name = podName(set, ordinal);
  return podFromTemplate(set, template, {
    name,
    labels: {
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
      [CONTROLLER_REVISION_HASH_LABEL]: revision,
    },
    mutateSpec: (spec) => {
      spec.hostname = name;
      if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
      const claims = (set.spec?.volumeClaimTemplates ?? []).map((t) => String(t.metadata?.name ?? ''));
      if (claims.length === 0) return;
      spec.volumes = [
        ...claims.map((c) => ({
          name: c,
          persistentVolumeClaim: { claimName: claimName(c, set, ordinal) },
        })),
        ...(spec.volumes ?? []).filter((v) => !claims.includes(v.name)),
      ];
    },
  });
}

export function podRevision(pod: Pod): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs = Date.now()): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, nowMs);
}

/** Running, ready and not being deleted: what ordered management waits for. */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !pod.metadata.deletionTimestamp;
}

export function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/**
 * Whether a missing pod of `ordinal` is created at the current revision rather than the update
 * revision: below the partition of a RollingUpdate, as upstream's newVersionedStatefulSetPod.
 */
export function createsAtCurrentRevision(set: StatefulSet, ordinal: number): boolean {
  const strategy = set.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const start = startOrdinal(set);
  const ru = strategy?.rollingUpdate;
  if (!ru) return ordinal < start + (set.status?.currentReplicas ?? 0);
  return ordinal < start + (ru.partition ?? 0);
}

type Policy = 'Retain' | 'Delete';

/**
 * The owner references a claim should carry under the set's persistentVolumeClaimRetentionPolicy:
 * the set (whenDeleted: Delete), or the pod once scaled away (whenScaled: Delete), so the garbage
 * collector deletes the claim with its owner. Other owners are kept. Undefined when unchanged.
 */
export function claimOwnerRefs(
  set: StatefulSet,
  pod: Pod,
  claim: PersistentVolumeClaim,
  ordinal: number,
): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  const whenDeleted = (policy?.whenDeleted ?? 'Retain') as Policy;
  const whenScaled = (policy?.whenScaled ?? 'Retain') as Policy;
  const scaledDown = !inOrdinalRange(set, ordinal);
  const wantSet = whenDeleted === 'Delete' && !(scaledDown && whenScaled === 'Delete');
  const wantPod = whenScaled === 'Delete' && scaledDown;
  const refs = claim.metadata.ownerReferences ?? [];
  let out = refs.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
  if (wantSet)
    out = [
      ...out,
      {
        apiVersion: set.apiVersion,
        kind: set.kind,
        name: set.metadata.name,
        uid: set.metadata.uid,
        controller: true,
        blockOwnerDeletion: false,
      },
    ];
  if (wantPod)
    out = [...out, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }];
  const key = (rs: OwnerReference[]) => JSON.stringify(rs.map((r) => [r.uid, r.controller ?? false]).sort());
  return key(out) === key(refs) ? undefined : out;
}
