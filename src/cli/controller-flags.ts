/** kube-controller-manager flags that `k8ts server` takes for the controllers it runs. */
import { CidrSet } from '../controllers/nodeipam/cidr-set.js';
import { DEFAULT_CONTROLLER_SETTINGS } from '../controllers/settings.js';
import type { ControllerSettings } from '../controllers/settings.js';
import { parseDuration } from '../util/duration.js';
import { UsageError } from './command.js';

const D = DEFAULT_CONTROLLER_SETTINGS;

export const controllerOptions = {
  'cluster-cidr': { type: 'string' },
  'node-cidr-mask-size': { type: 'string' },
  'node-monitor-period': { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'node-startup-grace-period': { type: 'string' },
  'node-eviction-rate': { type: 'string' },
  'terminated-pod-gc-threshold': { type: 'string' },
} as const;

export const controllerOptionHelp = {
  'cluster-cidr': `IPv4 CIDR node podCIDRs are allocated from (default ${D.clusterCIDR})`,
  'node-cidr-mask-size': `prefix length of each node's podCIDR (default ${D.nodeCIDRMaskSize})`,
  'node-monitor-period': `how often node health is checked, e.g. 5s (default ${D.nodeMonitorPeriodMs / 1000}s)`,
  'node-monitor-grace-period': `how long a node may stop heartbeating before it is NotReady, e.g. 40s (default ${D.nodeMonitorGracePeriodMs / 1000}s)`,
  'node-startup-grace-period': `the same for a node that never posted status (default ${D.nodeStartupGracePeriodMs / 1000}s)`,
  'node-eviction-rate': `nodes per second tainted for eviction when a zone is healthy (default ${D.nodeEvictionRate})`,
  'terminated-pod-gc-threshold': `terminated pods kept before the oldest are deleted; 0 keeps all (default ${D.terminatedPodGCThreshold})`,
};

function duration(values: Record<string, unknown>, flag: string): number | undefined {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--${flag} must be a duration such as 40s or 5m, not ${raw}`);
  return ms;
}

function number(values: Record<string, unknown>, flag: string, integer: boolean): number | undefined {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} must be a ${integer ? 'whole ' : ''}number of at least 0, not ${raw}`);
  return n;
}

/** The settings the flags give, over Kubernetes' defaults, checked. */
export function controllerSettings(values: Record<string, unknown>): ControllerSettings {
  const s: Partial<ControllerSettings> = {
    clusterCIDR: values['cluster-cidr'] as string | undefined,
    nodeCIDRMaskSize: number(values, 'node-cidr-mask-size', true),
    nodeMonitorPeriodMs: duration(values, 'node-monitor-period'),
    nodeMonitorGracePeriodMs: duration(values, 'node-monitor-grace-period'),
    nodeStartupGracePeriodMs: duration(values, 'node-startup-grace-period'),
    nodeEvictionRate: number(values, 'node-eviction-rate', false),
    terminatedPodGCThreshold: number(values, 'terminated-pod-gc-threshold', true),
  };
  for (const k of Object.keys(s) as (keyof ControllerSettings)[]) if (s[k] === undefined) delete s[k];
  const settings = { ...D, ...s };
  try {
    new CidrSet(settings.clusterCIDR, settings.nodeCIDRMaskSize);
  } catch (err) {
    throw new UsageError(`--cluster-cidr/--node-cidr-mask-size: ${(err as Error).message}`);
  }
  return settings;
}
