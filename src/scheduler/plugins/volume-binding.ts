/**
 * VolumeBinding: every PersistentVolumeClaim the pod mounts must exist; a bound claim's volume must be
 * reachable from the node (its spec.nodeAffinity: local volumes live on one node). An unbound claim of
 * an Immediate class makes the pod wait; one of a WaitForFirstConsumer class needs, on the node, an
 * available volume that fits it, unless its class provisions dynamically. The chosen node is then
 * written on such claims (`volume.kubernetes.io/selected-node`) for the PV binder.
 */
import type { PersistentVolume, PersistentVolumeClaim } from '../../client/objects.js';
import { NO_PROVISIONER, claimClass, findBestMatch } from '../../api/core/volume-matching.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { reject } from '../framework/types.js';
import type { ClusterView, CycleState, FilterPlugin, PluginState, Rejection } from '../framework/types.js';
import { NodeSelectorTerms } from '../../api/core/node-selector.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const VOLUME_CONFLICT_REASON = 'node(s) had volume node affinity conflict';

export const NO_VOLUMES_REASON = "node(s) didn't find available persistent volumes to bind";

class VolumeState implements PluginState {
  constructor(
    readonly affinities: NodeSelectorTerms[],
    /** Claims waiting for their first consumer that need a static volume on the node. */
    readonly delayed: PersistentVolumeClaim[],
    readonly candidates: readonly PersistentVolume[],
  ) {}
  clone(): this {
    return this;
  }
}

/** The pod's unbound claims whose class waits for the first consumer. */
export function delayedClaims(
  pod: PodInfo,
  cluster: Pick<ClusterView, 'pvc' | 'storageClass'>,
): PersistentVolumeClaim[] {
  const out: PersistentVolumeClaim[] = [];
  for (const name of claimNames(pod)) {
    const pvc = cluster.pvc(pod.namespace, name);
    if (!pvc || pvc.spec?.volumeName) continue;
    if (cluster.storageClass(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer') out.push(pvc);
  }
  return out;
}

/** The claim names the pod mounts. */
export function claimNames(pod: PodInfo): string[] {
  const out: string[] = [];
  for (const v of pod.pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim) out.push(claim);
  }
  return out;
}

export class VolumeBinding implements FilterPlugin {
  readonly name = VOLUME_BINDING;

  preFilter(state: CycleState, pod: PodInfo, cluster: ClusterView): Rejection | undefined {
    const claims = claimNames(pod);
    if (claims.length === 0) return undefined;
    const volumes: PersistentVolume[] = [];
    const delayed: PersistentVolumeClaim[] = [];
    let unbound = false;
    for (const name of claims) {
      const pvc = cluster.pvc(pod.namespace, name);
      if (!pvc)
        return reject(this.name, 'UnschedulableAndUnresolvable', `persistentvolumeclaim "${name}" not found`);
      if (pvc.metadata.deletionTimestamp)
        return reject(
          this.name,
          'UnschedulableAndUnresolvable',
          `persistentvolumeclaim "${name}" is being deleted`,
        );
      const pvName = pvc.spec?.volumeName;
      if (!pvName) {
        const cls = cluster.storageClass(claimClass(pvc));
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') unbound = true;
        else if (!cls.provisioner || cls.provisioner === NO_PROVISIONER) delayed.push(pvc);
        continue;
      }
      const pv = cluster.pv(pvName);
      if (!pv) return reject(this.name, 'UnschedulableAndUnresolvable', 'pvc(s) bound to non-existent pv(s)');
      volumes.push(pv);
    }
    if (unbound)
      return reject(
        this.name,
        'UnschedulableAndUnresolvable',
        'pod has unbound immediate PersistentVolumeClaims',
      );
    const affinities = volumes
      .map((pv) => pv.spec?.nodeAffinity?.required)
      .filter((r) => r !== undefined)
      .map((r) => new NodeSelectorTerms(r.nodeSelectorTerms ?? []));
    if (affinities.length || delayed.length) {
      const candidates = delayed.length ? cluster.pvs().filter((pv) => !pv.spec?.claimRef) : [];
      state.write(this.name, new VolumeState(affinities, delayed, candidates));
    }
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const s = state.read<VolumeState>(this.name);
    if (!s) return undefined;
    for (const a of s.affinities)
      if (!a.matches(node)) return reject(this.name, 'UnschedulableAndUnresolvable', VOLUME_CONFLICT_REASON);
    const target = { metadata: { name: node.name, labels: { ...node.labels } } };
    for (const pvc of s.delayed)
      if (!findBestMatch(s.candidates, pvc, target))
        return reject(this.name, 'UnschedulableAndUnresolvable', NO_VOLUMES_REASON);
    return undefined;
  }
}
