/**
 * The API server's own view of one cluster-scoped resource (namespaces, PriorityClasses), kept current
 * by a storage watch, so admission does not read storage on every write (kube-apiserver's admission
 * plugins use informers for the same). An object missing from the view is looked up in storage, so one
 * created a moment ago is never missed; until the first list completes, lists go to storage too.
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import { Backoff, sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import type { ObjectStore } from '../registry/object-store.js';

export class ClusterObjectCache {
  private readonly objects = new Map<string, StoredObject>();
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly def: ResourceDefinition,
    private readonly log: Logger,
  ) {}

  /** The object from the view, else from storage (NotFound when it does not exist). */
  async get(name: string): Promise<StoredObject> {
    return this.objects.get(name) ?? this.store.get(this.def, undefined, name);
  }

  /** Every object, from the view once it has synced. */
  async list(): Promise<StoredObject[]> {
    if (this.synced) return [...this.objects.values()];
    return (await this.store.list(this.def, undefined, {})).items;
  }

  start(signal: AbortSignal): void {
    this.running ??= this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(100, 5_000);
    while (!signal.aborted) {
      try {
        const list = await this.store.list(this.def, undefined, {});
        this.objects.clear();
        for (const o of list.items) this.objects.set(o.metadata.name, o);
        this.synced = true;
        for await (const e of this.store.watch(
          this.def,
          undefined,
          Number(list.resourceVersion),
          undefined,
          signal,
        )) {
          if (e.type === 'DELETED') this.objects.delete(e.object.metadata.name);
          else this.objects.set(e.object.metadata.name, e.object);
          backoff.reset();
        }
      } catch (err) {
        if (signal.aborted) break;
        // Expired (history compacted) or a storage failure: list again; until then reads go to storage.
        if (!E.isStatusError(err, 'Expired'))
          this.log.warn('admission cache watch failed', { resource: this.def.resource, err });
        this.objects.clear();
        this.synced = false;
        await sleep(backoff.next());
      }
    }
    this.objects.clear();
    this.synced = false;
  }
}
