/**
 * Settings of the controllers that kube-controller-manager takes as flags (`k8ts server` passes them
 * on). Each controller reads its own; every field has Kubernetes' default.
 */
export interface ControllerSettings {
  /** nodeipam: the range node podCIDRs come from (--cluster-cidr) and their size (--node-cidr-mask-size). */
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  /** nodelifecycle: how often node health is checked (--node-monitor-period). */
  nodeMonitorPeriodMs: number;
  /** nodelifecycle: how long a node may be silent before it is Unknown (--node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** nodelifecycle: the same for a node that never posted a status (--node-startup-grace-period). */
  nodeStartupGracePeriodMs: number;
  /** nodelifecycle: nodes per second that get NoExecute taints in a healthy zone (--node-eviction-rate). */
  nodeEvictionRate: number;
  /** nodelifecycle: the same in a partially disrupted large zone (--secondary-node-eviction-rate). */
  secondaryNodeEvictionRate: number;
  /** nodelifecycle: share of not-ready nodes that makes a zone partially disrupted (--unhealthy-zone-threshold). */
  unhealthyZoneThreshold: number;
  /** nodelifecycle: zones with more nodes than this are "large" (--large-cluster-size-threshold). */
  largeClusterSizeThreshold: number;
  /** podgc: terminated pods kept before the oldest are deleted; 0 disables (--terminated-pod-gc-threshold). */
  terminatedPodGCThreshold: number;
}

export const DEFAULT_CONTROLLER_SETTINGS: ControllerSettings = {
  clusterCIDR: '10.42.0.0/16',
  nodeCIDRMaskSize: 24,
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  unhealthyZoneThreshold: 0.55,
  largeClusterSizeThreshold: 50,
  terminatedPodGCThreshold: 12_500,
};
