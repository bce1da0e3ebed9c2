/**
 * The garbage collector: watches every resource that can be listed, watched and deleted (found by
 * discovery, looked at again periodically for new ones), keeps the owner/dependent graph of all
 * objects, and acts on it as kube-controller-manager's garbage collector does:
 * - Background: dependents whose owners are all gone are deleted (an owner is gone when a live GET
 *   finds nothing, or another uid, at its reference's coordinates);
 * - Foreground: an owner with the `foregroundDeletion` finalizer has its dependents deleted (those
 *   with dependents of their own in foreground too), and the finalizer removed once no dependent
 *   blocks it (`blockOwnerDeletion`);
 * - Orphan: an owner with the `orphan` finalizer has its references removed from its dependents,
 *   then the finalizer.
 * References to an owner in another namespace are reported (OwnerRefInvalidNamespace) and treated as
 * to a missing owner; a cluster-scoped object cannot have a namespaced owner and is left alone.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { KubeObject, OwnerReference, StoredObject } from '../../apimachinery/meta.js';
import { discoverResources } from '../../client/discovery.js';
import type { DiscoveredResource } from '../../client/discovery.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import type { SharedInformers } from '../../client/shared-informers.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../controller.js';
import { RestMapper } from '../common/rest-mapper.js';
import { AbsentOwnerCache } from './absent-owners.js';
import { FOREGROUND_FINALIZER, GraphBuilder, ORPHAN_FINALIZER } from './graph.js';
import type { GraphNode, ObjectIdentity } from './graph.js';

/** New resources (CRDs, aggregated APIs) are looked for this often. */
const RESYNC_MONITORS_MS = 30_000;
const DELETE_WORKERS = 4;
const ORPHAN_WORKERS = 2;
/** Resources whose objects never own anything worth collecting, as kube-controller-manager ignores them. */
const IGNORED = new Set(['events', 'events.events.k8s.io']);

/** Retried without alarm: a kind not served (yet), or an object that exists but no informer showed yet. */
class NotYetError extends Error {}
/** A cluster-scoped object naming a namespaced owner: an error no retry resolves. */
class NamespacedOwnerOfClusterScopedError extends Error {}

const describeIdentity = (id: ObjectIdentity) =>
  `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
const groupResource = (r: DiscoveredResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);
const apiVersionOf = (r: DiscoveredResource) => (r.group ? `${r.group}/${r.version}` : r.version);

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector-controller';
  private readonly client: RestClient;
  private readonly informers: SharedInformers;
  private readonly events: EventRecorder;
  private readonly log: Logger;
  private readonly attemptToDelete = new WorkQueue<string>();
  private readonly attemptToOrphan = new WorkQueue<string>();
  private readonly absent = new AbsentOwnerCache();
  private readonly graph: GraphBuilder;
  private readonly monitors = new Map<string, Informer>();
  private mapper = new RestMapper([]);

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.informers = ctx.informers;
    this.events = ctx.events('garbage-collector-controller');
    this.log = ctx.log('garbage-collector-controller');
    this.graph = new GraphBuilder({
      attemptToDelete: (n) => this.attemptToDelete.add(n.uid),
      attemptToOrphan: (n) => this.attemptToOrphan.add(n.uid),
      absent: (id) => this.absent.add(id),
      namespaced: (apiVersion, kind) => this.mapper.resolve(apiVersion, kind)?.namespaced,
      invalidNamespace: (dep, ref) => this.reportInvalidNamespace(dep, ref),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    let aborted!: () => void;
    const abort = new Promise<void>((r) => (aborted = r));
    signal.addEventListener(
      'abort',
      () => {
        this.attemptToDelete.shutDown();
        this.attemptToOrphan.shutDown();
        aborted();
      },
      { once: true },
    );
    while (!signal.aborted) {
      try {
        await this.syncMonitors();
        break;
      } catch (err) {
        this.log.warn('discovery failed, retrying', { err });
        await Promise.race([sleep(1_000), abort]);
      }
    }
    // Act only on a complete graph, as a dependent's owner may be listed after it.
    await Promise.race([Promise.all([...this.monitors.values()].map((m) => m.synced)), abort]);
    if (signal.aborted) return;
    this.log.info('garbage collector synced', { resources: this.monitors.size, objects: this.graph.size });
    const timer = setInterval(() => {
      this.syncMonitors().catch((err: unknown) => this.log.warn('monitor resync failed', { err }));
    }, RESYNC_MONITORS_MS);
    try {
      await Promise.all([
        runWorkers(
          this.attemptToDelete,
          DELETE_WORKERS,
          (uid) => this.processAttemptToDelete(uid),
          this.onError,
        ),
        runWorkers(
          this.attemptToOrphan,
          ORPHAN_WORKERS,
          (uid) => this.processAttemptToOrphan(uid),
          this.onError,
        ),
      ]);
    } finally {
      clearInterval(timer);
    }
  }

  private readonly onError = (uid: string, err: unknown) =>
    this.log[err instanceof NotYetError ? 'debug' : 'warn']('garbage collection failed', {
      uid,
      object: this.describe(uid),
      err,
    });

  private describe(uid: string): string | undefined {
    const id = this.graph.get(uid)?.identity;
    return id && describeIdentity(id);
  }

  /** Watches every deletable resource not watched yet, through the shared informers. */
  private async syncMonitors(): Promise<void> {
    const resources = await discoverResources(this.client);
    this.mapper = new RestMapper(resources);
    for (const r of resources) {
      const gr = groupResource(r);
      if (IGNORED.has(gr) || this.monitors.has(gr)) continue;
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      const inf = this.informers.for({
        group: r.group,
        version: r.version,
        resource: r.resource,
        kind: r.kind,
        namespaced: r.namespaced,
      });
      const identity = (obj: StoredObject): ObjectIdentity => ({
        apiVersion: apiVersionOf(r),
        kind: r.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace ?? '',
        uid: obj.metadata.uid,
      });
      const observe = (obj: StoredObject) => this.graph.observe(identity(obj), obj.metadata);
      inf.addHandler({
        add: observe,
        update: (_old, obj) => observe(obj),
        delete: (obj) => this.graph.remove(obj.metadata.uid),
      });
      this.monitors.set(gr, inf);
    }
  }

  private resourceFor(apiVersion: string, kind: string): DiscoveredResource {
    const r = this.mapper.resolve(apiVersion, kind);
    if (!r) throw new NotYetError(`unable to get REST mapping for ${apiVersion}/${kind}.`);
    return r;
  }

  /** The live object at `id` (looked up in its namespace if its kind is namespaced), or undefined. */
  private async getLive(id: ObjectIdentity): Promise<StoredObject | undefined> {
    const r = this.resourceFor(id.apiVersion, id.kind);
    if (r.namespaced && !id.namespace)
      throw new NamespacedOwnerOfClusterScopedError(
        'cluster-scoped objects cannot refer to namespaced owners',
      );
    try {
      return await this.client.get<StoredObject>(r, r.namespaced ? id.namespace : undefined, id.name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async processAttemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    try {
      if (!node.observed) await this.verifyVirtual(node);
      else await this.attemptToDeleteItem(node);
    } catch (err) {
      if (!(err instanceof NamespacedOwnerOfClusterScopedError)) throw err;
      this.log.info('not collecting: a cluster-scoped object refers to a namespaced owner', {
        object: this.describe(uid),
      });
    }
  }

  /** A virtual node: does its object exist? If not, its dependents are examined. */
  private async verifyVirtual(node: GraphNode): Promise<void> {
    const identity = { ...node.identity };
    const latest = await this.getLive(identity);
    if (!latest || latest.metadata.uid !== node.uid) {
      this.graph.verifiedAbsent(node, identity);
      return;
    }
    // It exists but no informer has shown it yet: look again later.
    if (!node.observed)
      throw new NotYetError(`${identity.kind} ${identity.name} exists but is not observed yet`);
  }

  private async attemptToDeleteItem(node: GraphNode): Promise<void> {
    // Being deleted, and not waiting for its dependents: nothing for the collector to do.
    if (node.beingDeleted && !node.deletingDependents) return;
    const identity = { ...node.identity };
    const latest = await this.getLive(identity);
    if (!latest || latest.metadata.uid !== node.uid) {
      this.graph.verifiedAbsent(node, identity);
      return;
    }
    const finalizers = latest.metadata.finalizers ?? [];
    if (latest.metadata.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER)) {
      await this.processDeletingDependents(node, latest);
      return;
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (!refs.length) return;

    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.liveOwner(ref, node);
      if (!owner) dangling.push(ref);
      else if (
        owner.metadata.deletionTimestamp &&
        (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)
      )
        waiting.push(ref);
      else solid.push(ref);
    }

    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Still owned: drop only the references to owners that are gone or going in foreground.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.patchOwnerRefs(
        identity,
        latest,
        refs.filter((r) => !drop.has(r.uid)),
      );
      this.log.info('removed owner references to missing or deleting owners', {
        object: this.describe(node.uid),
        owners: [...drop],
      });
      return;
    }
    if (waiting.length && node.dependents.size) {
      // Deleted in foreground as its owner is; a dependent already doing so would wait on us in a
      // cycle, so our own references stop blocking first.
      if ([...node.dependents].some((d) => d.deletingDependents))
        await this.patchOwnerRefs(
          identity,
          latest,
          refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)),
        );
      await this.deleteObject(identity, latest, 'Foreground');
      return;
    }
    // No owner left: collect it, keeping the propagation its own finalizers ask for.
    const policy = finalizers.includes(ORPHAN_FINALIZER)
      ? 'Orphan'
      : finalizers.includes(FOREGROUND_FINALIZER)
        ? 'Foreground'
        : 'Background';
    await this.deleteObject(identity, latest, policy);
  }

  /** The owner `ref` names, if it exists (a live GET: the graph may lag). */
  private async liveOwner(ref: OwnerReference, item: GraphNode): Promise<StoredObject | undefined> {
    const clusterScoped: ObjectIdentity = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      uid: ref.uid,
      namespace: '',
    };
    const namespaced = { ...clusterScoped, namespace: item.identity.namespace };
    if (this.absent.has(clusterScoped) || this.absent.has(namespaced)) return undefined;
    const r = this.resourceFor(ref.apiVersion, ref.kind);
    const id = r.namespaced ? namespaced : clusterScoped;
    const owner = await this.getLive(id);
    if (owner?.metadata.uid === ref.uid) return owner;
    this.absent.add(id);
    return undefined;
  }

  /** An owner deleting in foreground: wait for blocking dependents (deleting them), then let it go. */
  private async processDeletingDependents(node: GraphNode, latest: StoredObject): Promise<void> {
    const blocking = node.blockingDependents();
    if (!blocking.length) {
      await this.removeFinalizer(node.identity, latest, FOREGROUND_FINALIZER);
      return;
    }
    for (const dep of blocking) if (!dep.beingDeleted) this.attemptToDelete.add(dep.uid);
  }

  private async processAttemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node?.observed) return;
    const latest = await this.getLive(node.identity);
    if (!latest || latest.metadata.uid !== uid) return;
    if (!latest.metadata.deletionTimestamp || !(latest.metadata.finalizers ?? []).includes(ORPHAN_FINALIZER))
      return;
    const failures: string[] = [];
    for (const dep of [...node.dependents]) {
      try {
        const obj = await this.getLive(dep.identity);
        const refs = obj?.metadata.ownerReferences ?? [];
        if (!obj || !refs.some((r) => r.uid === uid)) continue;
        await this.patchOwnerRefs(
          dep.identity,
          obj,
          refs.filter((r) => r.uid !== uid),
        );
      } catch (err) {
        if (isStatusError(err, 'NotFound')) continue;
        failures.push(`${dep.identity.kind} ${dep.identity.name}: ${(err as Error).message}`);
      }
    }
    if (failures.length)
      throw new Error(`orphaning dependents of ${this.describe(uid)}: ${failures.join('; ')}`);
    await this.removeFinalizer(node.identity, latest, ORPHAN_FINALIZER);
    this.log.info('orphaned dependents', { object: this.describe(uid), dependents: node.dependents.size });
  }

  /** Replaces the object's owner references, if it has not changed since it was read. */
  private async patchOwnerRefs(id: ObjectIdentity, obj: StoredObject, refs: OwnerReference[]): Promise<void> {
    const r = this.resourceFor(id.apiVersion, id.kind);
    await this.client.patch(r, obj.metadata.namespace, obj.metadata.name, 'merge', {
      metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: refs.length ? refs : null },
    });
  }

  private async removeFinalizer(id: ObjectIdentity, obj: StoredObject, finalizer: string): Promise<void> {
    const r = this.resourceFor(id.apiVersion, id.kind);
    let current: StoredObject | undefined = obj;
    for (let attempt = 0; current; attempt++) {
      const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (finalizers.length === (current.metadata.finalizers ?? []).length) return;
      try {
        await this.client.patch(r, current.metadata.namespace, current.metadata.name, 'merge', {
          metadata: {
            resourceVersion: current.metadata.resourceVersion,
            finalizers: finalizers.length ? finalizers : null,
          },
        });
        return;
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return;
        if (!isStatusError(err, 'Conflict') || attempt >= 5) throw err;
      }
      current = await this.getLive(id);
      if (current?.metadata.uid !== id.uid) return;
    }
  }

  private async deleteObject(
    id: ObjectIdentity,
    obj: StoredObject,
    propagationPolicy: 'Orphan' | 'Background' | 'Foreground',
  ): Promise<void> {
    const r = this.resourceFor(id.apiVersion, id.kind);
    try {
      await this.client.delete(r, obj.metadata.namespace, obj.metadata.name, {
        propagationPolicy,
        preconditions: { uid: id.uid },
      });
      this.log.info('deleted object', { object: describeIdentity(id), propagationPolicy });
    } catch (err) {
      // Gone already, or the name now belongs to another object.
      if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict')) return;
      throw err;
    }
  }

  private reportInvalidNamespace(dep: GraphNode, ref: OwnerReference): void {
    const d = dep.identity;
    const involved: KubeObject = {
      apiVersion: d.apiVersion,
      kind: d.kind,
      metadata: { name: d.name, namespace: d.namespace || undefined, uid: d.uid },
    };
    this.events.event(
      involved,
      'Warning',
      'OwnerRefInvalidNamespace',
      `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${d.namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ${JSON.stringify(d.namespace)}`,
    );
  }
}
