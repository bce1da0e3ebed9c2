/**
 * The pieces of the DaemonSet controller that are pure functions: which nodes should run a daemon
 * pod, how a daemon pod is pinned to its node (a required node affinity on `metadata.name`, so the
 * default scheduler places it) and which tolerations it gets, and which pods are up to date.
 */
import type {
  DaemonSet,
  Node,
  NodeSelectorRequirement,
  Pod,
  PodSpec,
  Toleration,
} from '../../client/objects.js';
import { findUntoleratedTaint, requiredNodeAffinityMatches } from '../../api/core/node-fit.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/history.js';

type Affinity = NonNullable<PodSpec['affinity']>;

const NODE_NAME_FIELD = 'metadata.name';

/** What Kubernetes adds to every daemon pod so that node conditions do not evict or block it. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: 'NoSchedule' | 'NoExecute'): Toleration => ({
    key: `node.kubernetes.io/${key}`,
    operator: 'Exists',
    effect,
  });
  return [
    t('not-ready', 'NoExecute'),
    t('unreachable', 'NoExecute'),
    t('disk-pressure', 'NoSchedule'),
    t('memory-pressure', 'NoSchedule'),
    t('pid-pressure', 'NoSchedule'),
    t('unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('network-unavailable', 'NoSchedule')] : []),
  ];
}

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') &&
  (a.operator ?? 'Equal') === (b.operator ?? 'Equal') &&
  (a.value ?? '') === (b.value ?? '') &&
  (a.effect ?? '') === (b.effect ?? '');

/** The spec's tolerations with the daemon ones added (an identical one already there is replaced). */
export function withDaemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  for (const t of daemonTolerations(spec.hostNetwork === true)) {
    const i = out.findIndex((o) => sameToleration(o, t));
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/**
 * The affinity with its required node terms pinned to `nodeName`: every term's matchFields becomes
 * `metadata.name In [nodeName]` (its matchExpressions stay); no terms means one such term.
 */
export function pinnedAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const pin: NodeSelectorRequirement[] = [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }];
  const a = structuredClone(affinity ?? {});
  const na = (a.nodeAffinity ??= {});
  const terms = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const pinned = terms.length ? terms.map((t) => ({ ...t, matchFields: pin })) : [{ matchFields: pin }];
  na.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: pinned,
  };
  return a;
}

/** Turns a copy of the template's spec into the spec of the daemon pod for `nodeName`. */
export function toDaemonPodSpec(spec: PodSpec, nodeName: string): void {
  spec.affinity = pinnedAffinity(spec.affinity, nodeName);
  spec.tolerations = withDaemonTolerations(spec);
}

/** The node a daemon pod is on, or is pinned to while still unscheduled. */
export function targetNodeOf(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms)
    for (const f of term.matchFields ?? [])
      if (f.key === NODE_NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

export interface NodeDecision {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (it tolerates the NoExecute taints). */
  shouldContinueRunning: boolean;
}

/** Whether `ds` belongs on `node`: node name, nodeSelector and required affinity, then taints. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeDecision {
  const template = ds.spec?.template.spec ?? { containers: [] };
  const spec = structuredClone(template);
  toDaemonPodSpec(spec, node.metadata.name);
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (template.nodeName && template.nodeName !== node.metadata.name) return no;
  if (!requiredNodeAffinityMatches(spec, node)) return no;
  const taints = node.spec?.taints;
  const blocking = findUntoleratedTaint(
    taints,
    spec.tolerations,
    (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, spec.tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

/** Whether a daemon pod runs the DaemonSet's current template. */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}

/**
 * The one up-to-date and the one old pod on a node (terminating pods ignored); `ok` is false when
 * there are two of either kind, which the manage step sorts out first.
 */
export function updatedAndOldPod(pods: Pod[], hash: string): { ok: boolean; newPod?: Pod; oldPod?: Pod } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ok: true, newPod, oldPod };
}

/** Scheduled pods first, then oldest first, then by name (upstream's podByCreationTimestampAndPhase). */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const unscheduled = (p: Pod) => (p.spec?.nodeName ? 0 : 1);
  return (
    unscheduled(a) - unscheduled(b) ||
    a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}
