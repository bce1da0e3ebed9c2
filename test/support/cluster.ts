/**
 * A k8ts server with simulated nodes (`--simulated-nodes N`, named node-0 … node-(N-1)) that the
 * scheduler places pods on, for controller end-to-end tests. Pods with restartPolicy Never/OnFailure
 * finish after the `k8ts.io/simulated-run-seconds` annotation (default 1) with exit code
 * `k8ts.io/simulated-exit-code`.
 */
import { startServer } from './k8ts-server.js';
import type { RunningServer } from './k8ts-server.js';

/** Annotating a pod `k8ts.io/simulated-ready=false` fails its readiness on a simulated node. */
export { READY_ANNOTATION as SIMULATED_READY } from '../../src/agent/simulated/options.js';

export interface RunningCluster extends RunningServer {
  nodes: string[];
}

export async function startCluster(opts: { nodes?: number; args?: string[] } = {}): Promise<RunningCluster> {
  const count = opts.nodes ?? 3;
  const server = await startServer([
    '--simulated-nodes',
    String(count),
    '--simulated-node-prefix',
    'node-',
    ...(opts.args ?? []),
  ]);
  return { ...server, nodes: Array.from({ length: count }, (_, i) => `node-${i}`) };
}
