/** The simulated-node flags `k8ts server` and `k8ts agent` share. */
import { Quantity } from '../apimachinery/quantity.js';
import { DEFAULT_SIMULATED_NODE_OPTIONS, HEARTBEAT_ANNOTATION } from '../agent/simulated/options.js';
import type { SimulatedNodeOptions } from '../agent/simulated/options.js';
import { UsageError } from './command.js';

const D = DEFAULT_SIMULATED_NODE_OPTIONS;

export const simulatedNodeOptions = {
  'simulated-nodes': { type: 'string' },
  'simulated-node-prefix': { type: 'string' },
  'simulated-node-cpu': { type: 'string' },
  'simulated-node-memory': { type: 'string' },
  'simulated-node-pods': { type: 'string' },
  'simulated-node-ephemeral-storage': { type: 'string' },
  'simulated-node-lease-duration': { type: 'string' },
} as const;

export const simulatedNodeOptionHelp = {
  'simulated-nodes': `run N simulated nodes (${D.prefix}0 … ${D.prefix}N-1) that run pods without containers; annotate one ${HEARTBEAT_ANNOTATION}=stopped to silence its heartbeats`,
  'simulated-node-prefix': `name prefix of the simulated nodes (default ${D.prefix})`,
  'simulated-node-cpu': `CPU capacity of each simulated node (default ${D.cpu})`,
  'simulated-node-memory': `memory capacity of each simulated node (default ${D.memory})`,
  'simulated-node-pods': `pod capacity of each simulated node (default ${D.pods})`,
  'simulated-node-ephemeral-storage': `ephemeral-storage capacity of each simulated node (default ${D.ephemeralStorage})`,
  'simulated-node-lease-duration': `seconds of the simulated nodes' Leases, renewed every quarter of it (default ${D.leaseDurationSeconds})`,
};

function positiveInt(values: Record<string, unknown>, flag: string, dflt: number, min: number): number {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} must be a whole number of at least ${min}, not ${raw}`);
  return n;
}

function quantity(values: Record<string, unknown>, flag: string, dflt: string): string {
  const raw = values[flag] as string | undefined;
  if (raw === undefined) return dflt;
  const q = Quantity.tryParse(raw);
  if (!q || q.milli <= 0n)
    throw new UsageError(`--${flag} must be a positive quantity such as ${dflt}, not ${raw}`);
  return raw;
}

export function simulatedNodeConfig(values: Record<string, unknown>): SimulatedNodeOptions {
  const prefix = (values['simulated-node-prefix'] as string | undefined) ?? D.prefix;
  if (!/^[a-z0-9]([-a-z0-9.]*[-a-z0-9.])?$/.test(prefix))
    throw new UsageError(
      `--simulated-node-prefix must start a valid node name (lower case, digits, '-', '.'), not ${prefix}`,
    );
  const pods = quantity(values, 'simulated-node-pods', D.pods);
  if (Quantity.parse(pods).milli % 1000n !== 0n)
    throw new UsageError(`--simulated-node-pods must be a whole number, not ${pods}`);
  return {
    ...D,
    count: positiveInt(values, 'simulated-nodes', 0, 0),
    prefix,
    cpu: quantity(values, 'simulated-node-cpu', D.cpu),
    memory: quantity(values, 'simulated-node-memory', D.memory),
    pods,
    ephemeralStorage: quantity(values, 'simulated-node-ephemeral-storage', D.ephemeralStorage),
    leaseDurationSeconds: positiveInt(values, 'simulated-node-lease-duration', D.leaseDurationSeconds, 1),
  };
}
