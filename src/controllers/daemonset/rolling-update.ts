/**
 * One step of a DaemonSet rolling update: which old pods to delete and on which nodes to start a new
 * pod ahead of the old one, within maxUnavailable (delete first) or maxSurge (create first).
 */
import type { DaemonSet, Pod } from '../../client/objects.js';
import { scaledValueFromIntOrPercent } from '../common/int-or-percent.js';
import { isPodAvailable } from '../common/pod-util.js';
import { updatedAndOldPod } from './daemon-pods.js';

export interface RollingStep {
  deletePods: Pod[];
  createOnNodes: string[];
}

/** maxSurge and maxUnavailable as counts of `desired` pods; both 0 means one may be unavailable. */
export function rollingLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  // An invalid value throws, failing the sync as upstream does (validation keeps them out).
  const maxSurge = scaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired, true);
  let maxUnavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? 1, desired, true);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * `nodePods` holds the DaemonSet's pods by node, with an (empty) entry for every node that should
 * run one; `shouldRun` tells whether a node still should.
 */
export function planRollingUpdate(
  ds: DaemonSet,
  nodePods: Map<string, Pod[]>,
  hash: string,
  desired: number,
  shouldRun: (node: string) => boolean,
  nowMs = Date.now(),
): RollingStep {
  const { maxSurge, maxUnavailable } = rollingLimits(ds, desired);
  const available = (p: Pod) => isPodAvailable(p, ds.spec?.minReadySeconds ?? 0, nowMs);
  const nodes = [...nodePods.keys()].sort();
  if (maxSurge === 0) {
    let unavailable = 0;
    const mustReplace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const { ok, newPod, oldPod } = updatedAndOldPod(nodePods.get(node)!, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (!available(oldPod!)) mustReplace.push(oldPod!);
      else if (unavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { deletePods: [...mustReplace, ...candidates.slice(0, room)], createOnNodes: [] };
  }
  const deletePods: Pod[] = [];
  const mustCreate: string[] = [];
  const candidates: string[] = [];
  let surging = 0;
  for (const node of nodes) {
    const { ok, newPod, oldPod } = updatedAndOldPod(nodePods.get(node)!, hash);
    if (!ok) {
      surging++;
      continue;
    }
    if (!oldPod) continue; // nothing to replace; the manage step creates a missing pod
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(node)) deletePods.push(oldPod);
        else mustCreate.push(node);
      } else if (surging < maxSurge) candidates.push(node);
    } else if (!available(newPod)) surging++;
    else deletePods.push(oldPod);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  return { deletePods, createOnNodes: [...mustCreate, ...candidates.slice(0, room)] };
}
