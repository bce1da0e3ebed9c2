/**
 * The node IPAM controller (range allocator): every node gets spec.podCIDR and spec.podCIDRs, a subnet
 * of --cluster-cidr of size --node-cidr-mask-size, never one another node has. On start the subnets
 * nodes already have are marked taken first, so a restart never hands one out twice; a deleted node's
 * subnet is free again. When none is left the node gets a CIDRNotAvailable event and is retried.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import type { Node } from '../../client/objects.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { CidrSet } from './cidr-set.js';

/** How soon a node that found the range exhausted is tried again. */
const EXHAUSTED_RETRY_MS = 30_000;

export class NodeIpamController extends QueueController {
  readonly name = 'node-ipam-controller';
  private readonly client: RestClient;
  private readonly nodes: Informer<Node>;
  private readonly events: EventRecorder;
  readonly cidrs: CidrSet;
  /** The subnet each node holds (or is being given), so a stale cache never gets it a second one. */
  private readonly held = new Map<string, string>();
  /** Nodes that found no subnet left (logged once each). */
  private readonly waiting = new Set<string>();

  constructor(ctx: ControllerContext) {
    super(ctx.log('node-ipam-controller'), 1);
    this.client = ctx.client;
    this.cidrs = new CidrSet(ctx.settings.clusterCIDR, ctx.settings.nodeCIDRMaskSize);
    // Kubernetes' range allocator records its events as this component.
    this.events = ctx.events('cidrAllocator');
    this.nodes = ctx.informers.for<Node>(NODES);
    this.nodes.addHandler({
      add: (n) => this.queue.add(n.metadata.name),
      // A node still waiting for a subnet is retried on a timer, not on each of its status updates.
      update: (old, n) => old.spec?.podCIDR !== n.spec?.podCIDR && this.queue.add(n.metadata.name),
      delete: (n) => this.forget(n.metadata.name),
    });
  }

  override async run(signal: AbortSignal): Promise<void> {
    for (const node of this.nodes.list()) this.occupyExisting(node);
    this.log.info('node CIDRs', {
      clusterCIDR: this.cidrs.cluster.text,
      maskSize: this.cidrs.maskSize,
      inUse: this.cidrs.allocated,
    });
    return super.run(signal);
  }

  private occupyExisting(node: Node): void {
    const cidr = node.spec?.podCIDR;
    const name = node.metadata.name;
    if (!cidr || this.held.get(name) === cidr) return;
    if (!this.cidrs.occupy(cidr))
      this.log.warn('node podCIDR is outside the cluster CIDR', { node: name, podCIDR: cidr });
    this.held.set(name, cidr);
  }

  private forget(name: string): void {
    this.waiting.delete(name);
    const cidr = this.held.get(name);
    if (!cidr) return;
    this.held.delete(name);
    // Another node may have been given the same subnet by hand; keep it taken then.
    if (!this.nodes.list((n) => n.spec?.podCIDR === cidr).length) this.cidrs.release(cidr);
    this.log.info('released node CIDR', { node: name, podCIDR: cidr });
    // A node waiting for a subnet need not wait for its retry timer.
    for (const waiting of this.waiting) this.queue.add(waiting);
  }

  protected async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) return this.forget(name);
    if (node.spec?.podCIDR) return this.occupyExisting(node);
    let cidr = this.held.get(name);
    if (!cidr) {
      cidr = this.cidrs.allocateNext();
      if (!cidr) {
        this.events.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        if (!this.waiting.has(name))
          this.log.warn('no node CIDR left', { node: name, clusterCIDR: this.cidrs.cluster.text });
        this.waiting.add(name);
        this.queue.addAfter(name, EXHAUSTED_RETRY_MS);
        return;
      }
      this.held.set(name, cidr);
      this.waiting.delete(name);
    }
    try {
      await this.client.patch(NODES, undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.log.info('allocated node CIDR', { node: name, podCIDR: cidr });
    } catch (err) {
      this.held.delete(name);
      this.cidrs.release(cidr);
      if (isStatusError(err, 'NotFound')) return;
      this.events.event(
        node,
        'Normal',
        'CIDRAssignmentFailed',
        `Node ${name} status is now: CIDRAssignmentFailed`,
      );
      throw err;
    }
  }
}
