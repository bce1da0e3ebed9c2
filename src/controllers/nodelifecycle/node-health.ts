/**
 * How the node lifecycle controller decides a node has gone silent (tryUpdateNodeHealth): it remembers
 * when it last saw the node's Ready heartbeat or Lease renewal change (the probe timestamp, by its own
 * clock), and once that is older than the grace period it sets the kubelet's conditions to Unknown.
 */
import type { Lease, Node, NodeCondition } from '../../client/objects.js';

/** What the controller remembers of each node between passes. */
export interface NodeHealth {
  /** When a heartbeat or lease renewal was last seen (ms, this process's clock). */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition's lastHeartbeatTime and lastTransitionTime as last seen. */
  readyHeartbeat?: string;
  readyTransition?: string;
  hadReady: boolean;
  leaseRenewTime?: string;
}

/** The conditions the controller takes over when a node is silent. NetworkUnavailable is not one. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

function time(s: unknown): number {
  const t = typeof s === 'string' ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** The health record after looking at `node` and its `lease` at `nowMs`. */
export function observeHealth(
  node: Node,
  lease: Lease | undefined,
  saved: NodeHealth | undefined,
  nowMs: number,
): NodeHealth {
  const ready = readyCondition(node);
  let health: NodeHealth;
  if (!saved) {
    // Never seen: without a Ready condition the node gets its startup grace from its creation.
    const since = ready ? nowMs : time(node.metadata.creationTimestamp) || nowMs;
    health = { probeTimestamp: since, readyTransitionTimestamp: since, hadReady: Boolean(ready) };
  } else if (!saved.hadReady && ready) {
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, hadReady: true };
  } else if (saved.hadReady && !ready) {
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, hadReady: false };
  } else if (ready && saved.readyHeartbeat !== String(ready.lastHeartbeatTime ?? '')) {
    const transitioned = saved.readyTransition !== String(ready.lastTransitionTime ?? '');
    health = {
      probeTimestamp: nowMs,
      readyTransitionTimestamp: transitioned ? nowMs : saved.readyTransitionTimestamp,
      hadReady: true,
    };
  } else health = { ...saved };
  health.readyHeartbeat = String(ready?.lastHeartbeatTime ?? '');
  health.readyTransition = String(ready?.lastTransitionTime ?? '');
  health.leaseRenewTime = saved?.leaseRenewTime;
  // A lease renewed since last time counts as a heartbeat, whatever the node status says.
  const renew = lease?.spec?.renewTime ? String(lease.spec.renewTime) : undefined;
  if (renew && (!saved?.leaseRenewTime || time(saved.leaseRenewTime) < time(renew))) {
    health.leaseRenewTime = renew;
    health.probeTimestamp = nowMs;
  }
  return health;
}

/**
 * The node's conditions once it has been silent past the grace period: the kubelet's conditions
 * Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated for ones it never posted). Undefined when
 * nothing changes.
 */
export function silentNodeConditions(node: Node, stamp: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: stamp,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = stamp;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
