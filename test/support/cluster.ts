/**
 * A k8ts server with simulated nodes (`--simulated-nodes N`, named node-0 … node-(N-1)) that run pods,
 * for controller end-to-end tests. Pods with restartPolicy Never/OnFailure finish after the
 * `k8ts.io/simulated-run-seconds` annotation (default 1) with exit code `k8ts.io/simulated-exit-code`.
 *
 * Until the scheduler is merged a stand-in binder in the test process places unscheduled pods
 * round-robin (or on the node a required `matchFields metadata.name` term names).
 */
import { loadKubeconfig } from '../../src/client/config.js';
import { Informer } from '../../src/client/informer.js';
import type { Pod } from '../../src/client/objects.js';
import { PODS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
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
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  const client = new RestClient(loadKubeconfig(server.kubeconfig, 'k8ts-test-binder/v0'));
  const pods = new Informer<Pod>(client, PODS);
  let next = 0;
  const bind = (pod: Pod): void => {
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    if (pod.spec?.schedulerName && pod.spec.schedulerName !== 'default-scheduler') return;
    const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const pinned = terms?.nodeSelectorTerms[0]?.matchFields?.find((f) => f.key === 'metadata.name');
    const target = pinned?.values?.[0] ?? names[next++ % names.length]!;
    const { namespace, name } = pod.metadata;
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { kind: 'Node', name: target },
    };
    void client.create(PODS, namespace, binding, { name, subresource: 'binding' }).catch(() => undefined);
  };
  pods.addHandler({ add: bind, update: (_o, p) => bind(p) });
  pods.start();
  await pods.synced;
  return {
    ...server,
    nodes: names,
    async stop() {
      await pods.stop();
      client.close();
      await server.stop();
    },
  };
}
