/**
 * `k8ts agent`: node agents that join an existing cluster through a kubeconfig. Today only simulated
 * nodes (--simulated-nodes N); the real kubelet comes later.
 */
import { SimulatedNodes } from '../agent/simulated/simulated-nodes.js';
import { loadKubeconfig } from '../client/config.js';
import { RestClient } from '../client/rest.js';
import { logger } from '../util/log.js';
import { UsageError } from './command.js';
import type { Command } from './command.js';
import {
  simulatedNodeConfig,
  simulatedNodeOptionHelp,
  simulatedNodeOptions,
} from './simulated-node-flags.js';
import { VERSION } from './version.js';

const log = logger('agent');

export const agentCommand: Command = {
  name: 'agent',
  summary: 'Join a k8ts cluster as node(s); today simulated nodes only.',
  usage: 'k8ts agent --kubeconfig FILE --simulated-nodes N [--simulated-node-prefix PREFIX]',
  options: {
    kubeconfig: { type: 'string' },
    ...simulatedNodeOptions,
  },
  optionHelp: {
    kubeconfig: 'kubeconfig of the cluster to join; its user needs node permissions (group system:nodes)',
    ...simulatedNodeOptionHelp,
  },
  async run(values) {
    const path = values['kubeconfig'] as string | undefined;
    if (!path) throw new UsageError('--kubeconfig is required');
    const simulated = simulatedNodeConfig(values);
    if (simulated.count === 0)
      throw new UsageError(
        'there is no real node agent yet: give --simulated-nodes N to run simulated nodes',
      );
    let client: RestClient;
    try {
      client = new RestClient(loadKubeconfig(path, `k8ts-simulated-kubelet/${VERSION} k8ts`));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // The client's connection does not hold the process open (it is unref'd): this does, until a signal.
    const alive = setInterval(() => undefined, 60_000);
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    const nodes = new SimulatedNodes(client, simulated, logger('simulated-nodes'));
    await nodes.register();
    log.info('ready', { nodes: simulated.count, prefix: simulated.prefix });
    await nodes.run(stop.signal);
    clearInterval(alive);
    client.close();
    log.info('stopped');
    return 0;
  },
};
