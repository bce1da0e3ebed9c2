/**
 * The ResourceQuota controller: keeps each quota's `status.hard` equal to its `spec.hard` and
 * `status.used` equal to what its namespace really uses, recomputed when a counted object changes
 * and on a periodic full resync (kube-controller-manager's --resource-quota-sync-period, 5 minutes).
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { countedResource, quotaUsage } from '../../api/core/quota-usage.js';
import type { QuotaObject, QuotaSpec } from '../../api/core/quota-usage.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { ResourceQuota } from '../../client/objects.js';
import {
  CONFIG_MAPS,
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  REPLICATION_CONTROLLERS,
  RESOURCE_QUOTAS,
  SECRETS,
  SERVICES,
} from '../../client/resources.js';
import { discoverResources } from '../../client/discovery.js';
import type { DiscoveredResource } from '../../client/discovery.js';
import type { ResourceType, RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';

const RESYNC_MS = 5 * 60 * 1000;
const WATCHED = [
  PODS,
  SERVICES,
  PERSISTENT_VOLUME_CLAIMS,
  CONFIG_MAPS,
  SECRETS,
  REPLICATION_CONTROLLERS,
  RESOURCE_QUOTAS,
];
const dotted = (t: ResourceType) => (t.group ? `${t.resource}.${t.group}` : t.resource);

export class ResourceQuotaController extends QueueController {
  readonly name = 'resourcequota-controller';
  private readonly client: RestClient;
  private readonly quotas: Informer<ResourceQuota>;
  private readonly watched = new Map<string, Informer>();
  private discovered: DiscoveredResource[] | undefined;

  constructor(ctx: ControllerContext) {
    super(ctx.log('resourcequota-controller'));
    this.client = ctx.client;
    this.quotas = ctx.informers.for<ResourceQuota>(RESOURCE_QUOTAS, { resyncMs: RESYNC_MS });
    this.quotas.addHandler({
      add: (q) => this.queue.add(objectKey(q)),
      update: (_o, q) => this.queue.add(objectKey(q)),
    });
    for (const type of WATCHED) {
      const informer = type === RESOURCE_QUOTAS ? this.quotas : ctx.informers.for(type);
      this.watched.set(dotted(type), informer);
      if (type === RESOURCE_QUOTAS) continue;
      const touch = (o: StoredObject) => this.enqueueNamespace(o.metadata.namespace);
      informer.addHandler({ add: touch, update: (_o, n) => touch(n), delete: touch });
    }
  }

  private enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const q of this.quotas.list((q) => q.metadata.namespace === namespace)) this.queue.add(objectKey(q));
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const quota = this.quotas.get(namespace, name);
    if (!quota || quota.metadata.deletionTimestamp || !namespace) return;
    const spec = (quota.spec ?? {}) as QuotaSpec;
    // Object counts of resources without an informer here are read live (count/deployments.apps, ...).
    const live = new Map<string, QuotaObject[]>();
    for (const name of Object.keys(spec.hard ?? {})) {
      const counted = countedResource(name);
      if (!counted || this.watched.has(counted) || live.has(counted)) continue;
      const type = await this.resolve(counted);
      if (type) live.set(counted, (await this.client.listAll<StoredObject>(type, { namespace })).items);
    }
    const objects = (resource: string): readonly QuotaObject[] | undefined => {
      const informer = this.watched.get(resource);
      if (informer) return informer.list((o) => o.metadata.namespace === namespace);
      return live.get(resource);
    };
    const used = quotaUsage(spec, objects);
    const hard = Object.fromEntries(Object.entries(spec.hard ?? {}).map(([k, v]) => [k, String(v)]));
    const status = quota.status ?? {};
    if (sameMap(status.hard, hard) && sameMap(status.used, used)) return;
    try {
      await this.client.update(
        RESOURCE_QUOTAS,
        { ...quota, status: { hard, used } },
        { subresource: 'status' },
      );
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      throw err;
    }
  }

  private async resolve(resourceDotGroup: string): Promise<ResourceType | undefined> {
    this.discovered ??= await discoverResources(this.client);
    const dot = resourceDotGroup.indexOf('.');
    const resource = dot < 0 ? resourceDotGroup : resourceDotGroup.slice(0, dot);
    const group = dot < 0 ? '' : resourceDotGroup.slice(dot + 1);
    return this.discovered.find((r) => r.resource === resource && r.group === group && r.namespaced);
  }
}

function sameMap(a: Record<string, unknown> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => String(a?.[k]) === b[k]);
}
