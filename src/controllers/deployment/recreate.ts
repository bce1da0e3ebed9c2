/**
 * The Recreate strategy: scale every old ReplicaSet to zero, wait until none of their pods is left
 * running (terminating ones included), and only then create or grow the new ReplicaSet.
 */
import type { Pod, ReplicaSet } from '../../client/objects.js';
import {
  actualReplicaCount,
  activeReplicaSets,
  deploymentComplete,
  desiredReplicas,
} from './deployment-util.js';
import type { DeploymentSync } from './sync.js';

/** `podsByReplicaSet`: every pod of the Deployment's ReplicaSets (terminating ones too), by ReplicaSet uid. */
export async function rolloutRecreate(
  s: DeploymentSync,
  podsByReplicaSet: Map<string, Pod[]>,
): Promise<void> {
  let { newRS, oldRSs } = await s.replicaSetsAndSyncRevision(false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs))
    if ((await s.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podsByReplicaSet))
    return s.syncRolloutStatus(allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.replicaSetsAndSyncRevision(true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await s.scaleReplicaSetAndRecordEvent(newRS, desiredReplicas(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}

function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  podsByReplicaSet: Map<string, Pod[]>,
): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (uid === newRS?.metadata.uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
  }
  return false;
}
