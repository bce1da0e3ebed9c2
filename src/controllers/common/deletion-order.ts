/**
 * Which active pods a controller removes first when it has too many, as Kubernetes' ActivePods
 * ordering does: unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, then the most recently created first.
 */
import type { Pod } from '../../client/objects.js';
import { isPodReady } from './pod-util.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Sort comparator: pods that should be deleted first come first. */
export function deletionOrder(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  return Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp);
}
