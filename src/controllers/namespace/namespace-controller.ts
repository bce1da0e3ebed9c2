/**
 * The namespace controller: when a namespace is being deleted it deletes everything in it, resource by
 * resource as discovery lists them, reports progress in the namespace's conditions, and once nothing is
 * left removes the `kubernetes` finalizer through /finalize so the API server can remove the namespace.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { discoverResources } from '../../client/discovery.js';
import type { DiscoveredResource } from '../../client/discovery.js';
import { NAMESPACES } from '../../client/resources.js';
import { resourcePath } from '../../client/rest.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

type Namespace = StoredObject & {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
};

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** While content remains the namespace is looked at again after this long. */
const RECHECK_MS = 2_000;

export class NamespaceController extends QueueController {
  readonly name = 'namespace-controller';
  private readonly client: RestClient;
  private readonly namespaces;

  constructor(ctx: ControllerContext) {
    super(ctx.log('namespace-controller'));
    this.client = ctx.client;
    this.namespaces = ctx.informers.for<Namespace>(NAMESPACES);
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name);
    };
    this.namespaces.addHandler({ add: enqueue, update: (_old, ns) => enqueue(ns) });
  }

  protected async reconcile(name: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.client.get<Namespace>(NAMESPACES, undefined, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;

    let resources: DiscoveredResource[];
    try {
      resources = (await discoverResources(this.client)).filter(
        (r) =>
          r.namespaced &&
          r.verbs.includes('list') &&
          (r.verbs.includes('deletecollection') || r.verbs.includes('delete')),
      );
    } catch (err) {
      await this.setConditions(ns, {
        NamespaceDeletionDiscoveryFailure: ['True', 'DiscoveryFailed', String(err)],
      });
      throw err;
    }

    const failures: string[] = [];
    const remaining = new Map<string, number>();
    const finalizersLeft = new Map<string, number>();
    // The same objects can be served under several versions (events, HPAs): delete and count each
    // group/resource once, through its first version.
    const seen = new Set<string>();
    for (const r of resources) {
      const gr = r.group ? `${r.resource}.${r.group}` : r.resource;
      if (seen.has(gr)) continue;
      seen.add(gr);
      try {
        const left = await this.deleteAll(r, name);
        if (left.count) remaining.set(gr, left.count);
        for (const f of left.finalizers) finalizersLeft.set(f, (finalizersLeft.get(f) ?? 0) + 1);
      } catch (err) {
        failures.push(`${gr}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }

    const list = (m: Map<string, number>, joiner: string) =>
      [...m].map(([k, n]) => `${k} ${joiner} ${n} resource instances`).join(', ');
    await this.setConditions(ns, {
      NamespaceDeletionDiscoveryFailure: [
        'False',
        'ResourcesDiscovered',
        'All resources successfully discovered',
      ],
      NamespaceDeletionGroupVersionParsingFailure: [
        'False',
        'ParsedGroupVersions',
        'All legacy kube types successfully parsed',
      ],
      NamespaceDeletionContentFailure: failures.length
        ? [
            'True',
            'ContentDeletionFailed',
            `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`,
          ]
        : ['False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      NamespaceContentRemaining: remaining.size
        ? ['True', 'SomeResourcesRemain', `Some resources are remaining: ${list(remaining, 'has')}`]
        : ['False', 'ContentRemoved', 'All content successfully removed'],
      NamespaceFinalizersRemaining: finalizersLeft.size
        ? [
            'True',
            'SomeFinalizersRemain',
            `Some content in the namespace has finalizers remaining: ${list(finalizersLeft, 'in')}`,
          ]
        : ['False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
    });
    if (failures.length) throw new Error(`namespace ${name}: ${failures.join('; ')}`);
    if (remaining.size) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    await this.finalize(name);
    this.log.info('namespace emptied and finalized', { namespace: name });
  }

  /** Deletes every object of one resource in the namespace; what is still there afterwards. */
  private async deleteAll(
    r: DiscoveredResource,
    namespace: string,
  ): Promise<{ count: number; finalizers: string[] }> {
    if (r.verbs.includes('deletecollection')) {
      const res = await this.client.transport.request({
        method: 'DELETE',
        path: resourcePath(r, namespace),
        body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
        contentType: 'application/json',
      });
      if (res.status >= 300 && res.status !== 404 && res.status !== 405)
        throw new Error(`deletecollection answered ${res.status}: ${res.body.toString().slice(0, 200)}`);
    }
    const left = await this.client.listAll(r, { namespace });
    if (!r.verbs.includes('deletecollection'))
      for (const obj of left.items)
        if (!obj.metadata.deletionTimestamp)
          await this.client
            .delete(r, namespace, obj.metadata.name, { propagationPolicy: 'Background' })
            .catch((err: unknown) => {
              if (!isStatusError(err, 'NotFound')) throw err;
            });
    const after = r.verbs.includes('deletecollection') ? left : await this.client.listAll(r, { namespace });
    return { count: after.items.length, finalizers: after.items.flatMap((o) => o.metadata.finalizers ?? []) };
  }

  private async setConditions(
    ns: Namespace,
    want: Record<string, [NamespaceCondition['status'], string, string]>,
  ) {
    const timestamp = now();
    const old = ns.status?.conditions ?? [];
    const conditions: NamespaceCondition[] = Object.entries(want).map(([type, [status, reason, message]]) => {
      const prev = old.find((c) => c.type === type);
      return {
        type,
        status,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : timestamp,
        reason,
        message,
      };
    });
    const same = JSON.stringify(conditions) === JSON.stringify(old.filter((c) => c.type in want));
    if (same) return;
    try {
      await this.client.update(
        NAMESPACES,
        { ...ns, status: { ...ns.status, conditions } },
        { subresource: 'status' },
      );
    } catch (err) {
      // The namespace may be gone or changed meanwhile; the next pass writes fresh conditions.
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }

  private async finalize(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ns = await this.client.get<Namespace>(NAMESPACES, undefined, name).catch((err: unknown) => {
        if (isStatusError(err, 'NotFound')) return undefined;
        throw err;
      });
      if (!ns) return;
      const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
      try {
        await this.client.update(
          NAMESPACES,
          { ...ns, spec: { ...ns.spec, finalizers } },
          { subresource: 'finalize' },
        );
        return;
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return;
        if (!isStatusError(err, 'Conflict') || attempt >= 5) throw err;
      }
    }
  }
}
