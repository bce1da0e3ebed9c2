/**
 * The service-account controller: every active namespace has a `default` ServiceAccount; one deleted
 * by a user comes back.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import type { Informer } from '../../client/informer.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

type Namespace = StoredObject & { status?: { phase?: string } };

export class ServiceAccountController extends QueueController {
  readonly name = 'serviceaccount-controller';
  private readonly client: RestClient;
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer;

  constructor(ctx: ControllerContext) {
    super(ctx.log('serviceaccount-controller'));
    this.client = ctx.client;
    this.namespaces = ctx.informers.for<Namespace>(NAMESPACES);
    this.accounts = ctx.informers.for(SERVICE_ACCOUNTS);
    this.namespaces.addHandler({
      add: (ns) => this.queue.add(ns.metadata.name),
      update: (_old, ns) => this.queue.add(ns.metadata.name),
    });
    this.accounts.addHandler({
      delete: (sa) => {
        if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT && sa.metadata.namespace)
          this.queue.add(sa.metadata.namespace);
      },
    });
  }

  protected async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.accounts.get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    try {
      await this.client.create(SERVICE_ACCOUNTS, namespace, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace },
      });
      this.log.info('created service account', { namespace, name: DEFAULT_SERVICE_ACCOUNT });
    } catch (err) {
      // Already there (the cache was behind), or the namespace started terminating meanwhile.
      if (
        isStatusError(err, 'AlreadyExists') ||
        isStatusError(err, 'Forbidden') ||
        isStatusError(err, 'NotFound')
      )
        return;
      throw err;
    }
  }
}
