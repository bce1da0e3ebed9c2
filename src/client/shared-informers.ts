/**
 * One informer per resource (and selector) shared by every controller in a process, so a cluster's
 * pods are listed and watched once however many controllers look at them.
 */
import type { StoredObject } from '../apimachinery/meta.js';
import type { Logger } from '../util/log.js';
import { Informer } from './informer.js';
import type { InformerOptions } from './informer.js';
import type { ResourceType, RestClient } from './rest.js';

function stripManagedFields(obj: StoredObject): StoredObject {
  if (obj.metadata.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export class SharedInformers {
  private readonly informers = new Map<string, Informer>();

  constructor(
    readonly client: RestClient,
    private readonly log?: Logger,
  ) {}

  /**
   * The shared informer of `type`; started by `start()` (or at once if the factory already runs). Shared
   * informers hold whole objects except `metadata.managedFields`, which no controller reads and which
   * is often the larger part of an object (kube-controller-manager and kube-scheduler drop it too). An
   * update sent without managedFields keeps the stored ones.
   */
  for<T extends StoredObject = StoredObject>(
    type: ResourceType,
    opts: Omit<InformerOptions, 'log'> = {},
  ): Informer<T> {
    const key = JSON.stringify([type.group, type.version, type.resource, opts]);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, type, { ...opts, log: this.log, transform: stripManagedFields });
      this.informers.set(key, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  private started = false;

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves once every informer created so far has completed its first list. */
  async synced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
