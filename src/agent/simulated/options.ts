/**
 * What a set of simulated nodes looks like and how often it reports: node count and names, the
 * capacity each node advertises, and the kubelet's heartbeat timings.
 */

export interface SimulatedNodeOptions {
  /** How many nodes: `<prefix>0` … `<prefix>(count-1)`. */
  count: number;
  /** Node name prefix (default `sim-`). */
  prefix: string;
  /** Capacity (= allocatable) of every node, as quantities. */
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  /** The node Lease's duration; renewed every quarter of it, as the kubelet does (default 40 s). */
  leaseDurationSeconds: number;
  /** A node's status is posted at least this often even when nothing changed (kubelet: 5 min). */
  statusReportMs: number;
  /** Most API requests in flight at once for heartbeats, and again for pod status writes. */
  concurrency: number;
}

export const DEFAULT_SIMULATED_NODE_OPTIONS: SimulatedNodeOptions = {
  count: 0,
  prefix: 'sim-',
  cpu: '32',
  memory: '256Gi',
  pods: '110',
  ephemeralStorage: '100Gi',
  leaseDurationSeconds: 40,
  statusReportMs: 5 * 60 * 1000,
  concurrency: 16,
};

/** The label every simulated node carries (`type=simulated`), which the agent watches its nodes by. */
export const SIMULATED_NODE_LABEL = 'type';
export const SIMULATED_NODE_LABEL_VALUE = 'simulated';

/**
 * `kubectl annotate node sim-1 k8ts.io/simulated-heartbeat=stopped` stops that node's Lease renewals and
 * status reports (its pods keep being run), so the node lifecycle controller sees it go silent;
 * removing the annotation (or any other value) resumes them.
 */
export const HEARTBEAT_ANNOTATION = 'k8ts.io/simulated-heartbeat';

/** Pod annotations: how long a Never/OnFailure pod's containers run, and the exit code they end with. */
export const RUN_SECONDS_ANNOTATION = 'k8ts.io/simulated-run-seconds';
export const EXIT_CODE_ANNOTATION = 'k8ts.io/simulated-exit-code';
/**
 * `kubectl annotate pod web-1 k8ts.io/simulated-ready=false` makes a running pod's readiness probe
 * fail (Ready and ContainersReady False) until the annotation is removed or set to `true`.
 */
export const READY_ANNOTATION = 'k8ts.io/simulated-ready';

export function simulatedNodeNames(opts: Pick<SimulatedNodeOptions, 'count' | 'prefix'>): string[] {
  return Array.from({ length: opts.count }, (_, i) => `${opts.prefix}${i}`);
}
