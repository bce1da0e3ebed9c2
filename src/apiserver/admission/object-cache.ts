/**
 * The API server's own view of one resource (namespaces, PriorityClasses, ResourceQuotas), kept current
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

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class AdmissionObjectCache {
  private readonly objects = new Map<string, StoredObject>();
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly def: ResourceDefinition,
    private readonly log: Logger,
  ) {}

  /** The object from the view, else from storage (NotFound when it does not exist). */
  async get(name: string, namespace?: string): Promise<StoredObject> {
    return this.objects.get(keyOf(namespace, name)) ?? this.store.get(this.def, namespace, name);
  }

  /** Every object (of one namespace, when given), from the view once it has synced. */
  async list(namespace?: string): Promise<StoredObject[]> {
    if (!this.synced) return (await this.store.list(this.def, namespace, {})).items;
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
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
        for (const o of list.items) this.objects.set(keyOf(o.metadata.namespace, o.metadata.name), o);
        this.synced = true;
        for await (const e of this.store.watch(
          this.def,
          undefined,
          Number(list.resourceVersion),
          undefined,
          signal,
        )) {
          const key = keyOf(e.object.metadata.namespace, e.object.metadata.name);
          if (e.type === 'DELETED') this.objects.delete(key);
          else this.objects.set(key, e.object);
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
