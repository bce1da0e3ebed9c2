/**
 * Simulated nodes (what KWOK does): N nodes registered by one in-process stand-in kubelet that keeps
 * their Leases and statuses fresh and runs the pods bound to them, without containers. Everything goes
 * through the API with the client it is given, as a real kubelet's would.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { Quantity } from '../../apimachinery/quantity.js';
import { Informer } from '../../client/informer.js';
import type { Node } from '../../client/objects.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { ConcurrencyLimiter } from '../../util/limiter.js';
import type { Logger } from '../../util/log.js';
import { NodeHeartbeats, heartbeatStopped } from './heartbeats.js';
import { nodeAddress, simulatedNode } from './node-template.js';
import { SIMULATED_NODE_LABEL, SIMULATED_NODE_LABEL_VALUE, simulatedNodeNames } from './options.js';
import type { SimulatedNodeOptions } from './options.js';
import { SimulatedPods } from './pod-runner.js';
import type { SimNodeState } from './pod-runner.js';

export class SimulatedNodes {
  readonly names: string[];
  private readonly index = new Map<string, number>();
  private readonly nodes: Informer<Node>;
  private readonly heartbeats: NodeHeartbeats;
  private readonly pods: SimulatedPods;
  private readonly podCapacity: number;

  constructor(
    private readonly client: RestClient,
    private readonly opts: SimulatedNodeOptions,
    private readonly log: Logger,
  ) {
    this.names = simulatedNodeNames(opts);
    for (const [i, n] of this.names.entries()) this.index.set(n, i);
    this.podCapacity = Number(Quantity.parse(opts.pods).milli / 1000n);
    this.nodes = new Informer<Node>(client, NODES, {
      labelSelector: `${SIMULATED_NODE_LABEL}=${SIMULATED_NODE_LABEL_VALUE}`,
      log,
    });
    this.heartbeats = new NodeHeartbeats(client, this.nodes, opts, log);
    this.pods = new SimulatedPods(
      client,
      (name) => this.index.has(name),
      (name) => this.state(name),
      opts.concurrency,
      log,
    );
    this.nodes.addHandler({
      update: (old, node) => {
        const name = node.metadata.name;
        if (!this.index.has(name)) return;
        const stoppedNow = heartbeatStopped(node);
        if (stoppedNow !== heartbeatStopped(old)) {
          this.log.info(stoppedNow ? 'heartbeat stopped' : 'heartbeat resumed', { node: name });
          this.heartbeats.poke(name);
          if (!stoppedNow) this.pods.nodeChanged(name);
        }
        if (old.spec?.podCIDR !== node.spec?.podCIDR) this.pods.nodeChanged(name);
      },
      delete: (node) => this.heartbeats.forget(node.metadata.name),
    });
  }

  private state(name: string): SimNodeState | undefined {
    const i = this.index.get(name);
    if (i === undefined) return undefined;
    const node = this.nodes.get(undefined, name);
    return {
      hostIP: nodeAddress(i),
      podCIDR: node?.spec?.podCIDR,
      heartbeatStopped: heartbeatStopped(node),
      podCapacity: this.podCapacity,
    };
  }

  /** Registers the nodes (an existing one is kept, as a restarted kubelet's). */
  async register(): Promise<void> {
    const limiter = new ConcurrencyLimiter(this.opts.concurrency);
    await Promise.all(
      this.names.map((name, i) =>
        limiter.run(async () => {
          const node = simulatedNode(name, i, this.opts);
          try {
            await this.client.create(NODES, undefined, node);
          } catch (err) {
            if (!isStatusError(err, 'AlreadyExists')) throw err;
            // As a restarted kubelet does: the node keeps its spec, and gets our default labels back.
            await this.client.patch(NODES, undefined, name, 'merge', {
              metadata: { labels: node.metadata.labels },
            });
          }
        }),
      ),
    );
    this.log.info('registered simulated nodes', { count: this.names.length, first: this.names[0] });
  }

  /** Heartbeats and runs pods until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.nodes.start();
    try {
      await Promise.race([
        this.nodes.synced,
        new Promise((r) => signal.addEventListener('abort', r, { once: true })),
      ]);
      if (signal.aborted) return;
      for (const [i, name] of this.names.entries()) this.heartbeats.add(name, i);
      await Promise.all([this.heartbeats.run(signal), this.pods.run(signal)]);
    } finally {
      await this.nodes.stop();
    }
  }
}
