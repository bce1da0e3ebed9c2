/**
 * The RollingUpdate strategy: grow the new ReplicaSet while the total stays within replicas + maxSurge,
 * and shrink old ReplicaSets while at least replicas - maxUnavailable pods stay available (unhealthy old
 * pods go first, since they count for nothing).
 */
import type { ReplicaSet } from '../../client/objects.js';
import {
  activeReplicaSets,
  availableReplicaCount,
  byCreation,
  deploymentComplete,
  desiredReplicas,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  specReplicas,
} from './deployment-util.js';
import type { DeploymentSync } from './sync.js';

export async function rolloutRolling(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await s.replicaSetsAndSyncRevision(true);
  const allRSs = [...oldRSs, newRS];
  if (!newRS) return;
  if (await reconcileNewReplicaSet(s, allRSs, newRS)) return s.syncRolloutStatus(allRSs, newRS);
  if (await reconcileOldReplicaSets(s, allRSs, activeReplicaSets(oldRSs), newRS))
    return s.syncRolloutStatus(allRSs, newRS);
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}

async function reconcileNewReplicaSet(
  s: DeploymentSync,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
): Promise<boolean> {
  const desired = desiredReplicas(s.d);
  if (specReplicas(newRS) === desired) return false;
  const size = specReplicas(newRS) > desired ? desired : newRSNewReplicas(s.d, allRSs, newRS);
  return (await s.scaleReplicaSetAndRecordEvent(newRS, size)).scaled;
}

async function reconcileOldReplicaSets(
  s: DeploymentSync,
  allRSs: (ReplicaSet | undefined)[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(s.d) - maxUnavailable(s.d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const { rss, scaledDown: cleaned } = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSets(s, [...rss, newRS], rss);
  return cleaned + scaledDown > 0;
}

/** Scales old ReplicaSets down by their unavailable pods, oldest first, at most `max` in all. */
async function cleanupUnhealthyReplicas(
  s: DeploymentSync,
  oldRSs: ReplicaSet[],
  max: number,
): Promise<{ rss: ReplicaSet[]; scaledDown: number }> {
  const rss = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of rss.entries()) {
    if (total >= max) break;
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const down = Math.min(max - total, unhealthy);
    rss[i] = (await s.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - down)).rs;
    total += down;
  }
  return { rss, scaledDown: total };
}

/** Scales old ReplicaSets down, oldest first, as far as available pods above the minimum allow. */
async function scaleDownOldReplicaSets(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
): Promise<number> {
  const minAvailable = desiredReplicas(s.d) - maxUnavailable(s.d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (specReplicas(rs) === 0) continue;
    const down = Math.min(specReplicas(rs), budget - total);
    await s.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - down);
    total += down;
  }
  return total;
}
