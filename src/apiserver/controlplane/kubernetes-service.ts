/**
 * The `kubernetes` Service in `default` and its Endpoints and EndpointSlice, kept as kube-apiserver's
 * control plane controller keeps them: created at startup, put back when changed or deleted. The
 * Service gets the first IP of the service range (in the serving certificate's SANs), port 443 → the
 * API server's port; the endpoints name the advertised address.
 */
import * as E from '../../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../../apimachinery/meta.js';
import type { ResourceRegistry } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { Logger } from '../../util/log.js';
import type { ServiceAllocator } from '../allocators/service-allocator.js';
import { prepareForCreate, prepareForUpdate } from '../handlers/object-lifecycle.js';
import type { ObjectStore } from '../registry/object-store.js';
import { withTxn } from '../registry/write-hooks.js';

const NAMESPACE = 'default';
const NAME = 'kubernetes';
/** kube-apiserver's endpoint reconcile interval. */
export const RECONCILE_INTERVAL_MS = 10_000;

export interface KubernetesServiceOptions {
  objects: ObjectStore;
  registry: ResourceRegistry;
  allocator: ServiceAllocator;
  /** Endpoint address and port of this API server. */
  address: string;
  port: () => number;
  log: Logger;
  intervalMs?: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class KubernetesServiceController {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly services: ResourceDefinition;
  private readonly endpoints: ResourceDefinition;
  private readonly slices: ResourceDefinition;

  constructor(private readonly opts: KubernetesServiceOptions) {
    const need = (g: string, v: string, r: string) => {
      const d = opts.registry.lookup(g, v, r);
      if (!d) throw new Error(`resource ${r} is not registered`);
      return d;
    };
    this.services = need('', 'v1', 'services');
    this.endpoints = need('', 'v1', 'endpoints');
    this.slices = need('discovery.k8s.io', 'v1', 'endpointslices');
  }

  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.reconcile()
      .catch((err: unknown) => this.opts.log.error('reconciling the kubernetes service failed', { err }))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async reconcile(): Promise<void> {
    await this.ensureService();
    await this.ensureEndpoints();
    await this.ensureEndpointSlice();
  }

  private servicePorts(): Record<string, unknown>[] {
    return [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.opts.port() }];
  }

  private endpointPorts(): Record<string, unknown>[] {
    return [{ name: 'https', port: this.opts.port(), protocol: 'TCP' }];
  }

  private async ensureService(): Promise<void> {
    const { objects, allocator } = this.opts;
    const current = await this.getOrUndefined(this.services);
    if (!current) {
      const obj = prepareForCreate(
        this.services,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: NAME, labels: { component: 'apiserver', provider: 'kubernetes' } },
          spec: {
            type: 'ClusterIP',
            clusterIP: allocator.cidr.first,
            ports: this.servicePorts(),
            sessionAffinity: 'None',
          },
        },
        NAMESPACE,
      );
      try {
        const txn = await allocator.beginCreate(obj, false);
        await withTxn(txn, () => objects.create(this.services, obj));
        this.opts.log.info('created the kubernetes service', { clusterIP: allocator.cidr.first });
      } catch (err) {
        if (!E.isStatusError(err, 'AlreadyExists')) throw err;
      }
      return;
    }
    const spec = current['spec'] as Record<string, unknown> | undefined;
    if (spec?.['type'] === 'ClusterIP' && same(spec['ports'], this.servicePorts())) return;
    const next = structuredClone(current) as KubeObject;
    const s = (next['spec'] ??= {}) as Record<string, unknown>;
    s['type'] = 'ClusterIP';
    s['ports'] = this.servicePorts();
    const prepared = prepareForUpdate(this.services, next, current, 'main');
    const txn = await allocator.beginUpdate(prepared, current, false);
    // A conflicting write wins; the next pass looks again.
    await withTxn(txn, () =>
      objects.update(this.services, prepared, Number(current.metadata.resourceVersion)),
    );
    this.opts.log.warn('reset the kubernetes service ports and type');
  }

  private async ensureEndpoints(): Promise<void> {
    const subsets = [{ addresses: [{ ip: this.opts.address }], ports: this.endpointPorts() }];
    const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
    await this.ensure(this.endpoints, { subsets }, labels, (o) => same(o['subsets'], subsets));
  }

  private async ensureEndpointSlice(): Promise<void> {
    const fields = {
      addressType: 'IPv4',
      endpoints: [{ addresses: [this.opts.address], conditions: { ready: true } }],
      ports: this.endpointPorts(),
    };
    const labels = { 'kubernetes.io/service-name': NAME };
    await this.ensure(
      this.slices,
      fields,
      labels,
      (o) =>
        o['addressType'] === fields.addressType &&
        same(o['endpoints'], fields.endpoints) &&
        same(o['ports'], fields.ports),
    );
  }

  /** Creates the object with `fields` and `labels`, or rewrites them when `matches` says they drifted. */
  private async ensure(
    def: ResourceDefinition,
    fields: Record<string, unknown>,
    labels: Record<string, string>,
    matches: (o: StoredObject) => boolean,
  ): Promise<void> {
    const current = await this.getOrUndefined(def);
    const kind = { apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind };
    if (!current) {
      const obj = prepareForCreate(def, { ...kind, metadata: { name: NAME, labels }, ...fields }, NAMESPACE);
      await this.opts.objects.create(def, obj).catch((err: unknown) => {
        if (!E.isStatusError(err, 'AlreadyExists')) throw err;
      });
      return;
    }
    const ok = (o: StoredObject) => matches(o) && same(o.metadata.labels, labels);
    if (ok(current)) return;
    await this.opts.objects.guaranteedUpdate(def, NAMESPACE, NAME, (cur) => {
      if (ok(cur)) return undefined;
      const next: KubeObject = { ...structuredClone(cur), ...fields };
      next.metadata = { ...next.metadata, labels };
      return prepareForUpdate(def, next, cur, 'main');
    });
    this.opts.log.warn(`reset the kubernetes ${def.resource}`, { address: this.opts.address });
  }

  private async getOrUndefined(def: ResourceDefinition): Promise<StoredObject | undefined> {
    try {
      return await this.opts.objects.get(def, NAMESPACE, NAME);
    } catch (err) {
      if (E.isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  }
}
