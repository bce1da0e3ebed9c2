/**
 * Everything the API server does for the service network, in one place for server.ts: the cluster
 * IP and node port allocators (the write hooks of `services`), their repair pass (at startup, before
 * requests are served, and every few minutes), and the `kubernetes` Service controller.
 */
import type { ResourceRegistry } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { Store } from '../../storage/store.js';
import type { Logger } from '../../util/log.js';
import { AllocationRepair } from '../allocators/repair.js';
import { ServiceAllocator } from '../allocators/service-allocator.js';
import type { ObjectStore } from '../registry/object-store.js';
import type { WriteHooks } from '../registry/write-hooks.js';
import { KubernetesServiceController } from './kubernetes-service.js';

/** kube-apiserver repairs its service allocations every 3 minutes. */
export const REPAIR_INTERVAL_MS = 3 * 60_000;

export interface ServiceNetworkOptions {
  serviceCIDR?: string;
  nodePortRange?: string;
  /** The address the `kubernetes` endpoints name. */
  advertiseAddress: string;
  log: Logger;
  kubernetesServiceIntervalMs?: number;
}

export class ServiceNetwork {
  readonly allocator: ServiceAllocator;
  readonly repair: AllocationRepair;
  private controller?: KubernetesServiceController;
  private repairTimer?: NodeJS.Timeout;
  private repairing?: Promise<unknown>;

  constructor(
    store: Store,
    private readonly objects: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly opts: ServiceNetworkOptions,
  ) {
    this.allocator = new ServiceAllocator(store, {
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange,
      log: opts.log,
    });
    this.repair = new AllocationRepair(
      objects,
      registry.lookup('', 'v1', 'services')!,
      this.allocator,
      opts.log.child({ loop: 'repair' }),
    );
  }

  /** The write hooks of a resource: the allocators for core/v1 services. */
  hooksFor = (def: ResourceDefinition): WriteHooks | undefined =>
    def.group === '' && def.resource === 'services' ? this.allocator : undefined;

  /** Before requests are served: load the allocations and heal leaks from a crash. */
  async prepare(): Promise<void> {
    await this.allocator.start();
    const r = await this.repair.run(true);
    if (r.released.length || r.restored.length)
      this.opts.log.info('service allocations repaired at startup', {
        released: r.released.length,
        restored: r.restored.length,
      });
  }

  /** Once the server listens on `port`. */
  async start(port: () => number): Promise<void> {
    this.controller = new KubernetesServiceController({
      objects: this.objects,
      registry: this.registry,
      allocator: this.allocator,
      address: this.opts.advertiseAddress,
      port,
      log: this.opts.log.child({ loop: 'kubernetes-service' }),
      intervalMs: this.opts.kubernetesServiceIntervalMs,
    });
    await this.controller.start();
    this.repairTimer = setInterval(() => {
      if (this.repairing) return;
      this.repairing = this.repair
        .run()
        .catch((err: unknown) => this.opts.log.error('service allocation repair failed', { err }))
        .finally(() => (this.repairing = undefined));
    }, REPAIR_INTERVAL_MS);
    this.repairTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.repairTimer);
    await this.controller?.stop();
    await this.repairing;
  }
}
