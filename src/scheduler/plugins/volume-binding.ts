/**
 * VolumeBinding, for pre-bound claims: every PersistentVolumeClaim the pod mounts must exist and be
 * bound, and a node must satisfy the spec.nodeAffinity of each bound PersistentVolume (local volumes
 * live on one node). Binding unbound claims (WaitForFirstConsumer provisioning) is not done here.
 */
import type { PersistentVolume } from '../../client/objects.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { reject } from '../framework/types.js';
import type { ClusterView, CycleState, FilterPlugin, PluginState, Rejection } from '../framework/types.js';
import { NodeSelectorTerms } from '../../api/core/node-selector.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const VOLUME_CONFLICT_REASON = 'node(s) had volume node affinity conflict';

class VolumeState implements PluginState {
  constructor(readonly affinities: NodeSelectorTerms[]) {}
  clone(): this {
    return this;
  }
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
        unbound = true;
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
    if (affinities.length) state.write(this.name, new VolumeState(affinities));
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const s = state.read<VolumeState>(this.name);
    if (!s) return undefined;
    for (const a of s.affinities)
      if (!a.matches(node)) return reject(this.name, 'UnschedulableAndUnresolvable', VOLUME_CONFLICT_REASON);
    return undefined;
  }
}
