/**
 * The API server's own view of namespaces, kept current by a storage watch, so NamespaceLifecycle
 * admission does not read storage on every create (kube-apiserver uses an informer for the same).
 * A namespace missing from the view is looked up in storage, so one created a moment ago is never
 * refused.
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import { Backoff, sleep } from '../../util/backoff.js';
import type { Logger } from '../../util/log.js';
import type { ObjectStore } from '../registry/object-store.js';

export class NamespaceCache {
  private readonly namespaces = new Map<string, StoredObject>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly objects: ObjectStore,
    private readonly def: ResourceDefinition,
    private readonly log: Logger,
  ) {}

  /** The namespace from the view, else from storage (NotFound when it does not exist). */
  async get(name: string): Promise<StoredObject> {
    return this.namespaces.get(name) ?? this.objects.get(this.def, undefined, name);
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
        const list = await this.objects.list(this.def, undefined, {});
        this.namespaces.clear();
        for (const ns of list.items) this.namespaces.set(ns.metadata.name, ns);
        for await (const e of this.objects.watch(
          this.def,
          undefined,
          Number(list.resourceVersion),
          undefined,
          signal,
        )) {
          if (e.type === 'DELETED') this.namespaces.delete(e.object.metadata.name);
          else this.namespaces.set(e.object.metadata.name, e.object);
          backoff.reset();
        }
      } catch (err) {
        if (signal.aborted) break;
        // Expired (history compacted) or a storage failure: list again; until then the view is stale,
        // and misses fall back to storage.
        if (!E.isStatusError(err, 'Expired')) this.log.warn('namespace cache watch failed', { err });
        this.namespaces.clear();
        await sleep(backoff.next());
      }
    }
    this.namespaces.clear();
  }
}
