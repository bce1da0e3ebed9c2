/**
 * The endpoints controller: every Service with a selector gets an Endpoints object of the same name
 * listing the addresses of the pods it selects (ready and not ready), the service ports resolved on
 * each pod, the service's labels, and the last-change-trigger-time annotation. Services without a
 * selector keep the Endpoints their users write; the `kubernetes` Service is the API server's.
 */
import { isDeepStrictEqual } from 'node:util';
import { isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { Endpoints, Pod, Service } from '../../client/objects.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import {
  HEADLESS_SERVICE_LABEL,
  hasManagedEndpoints,
  isApiServerService,
  isHeadless,
  enqueueServicesOnChange,
  podsSelectedBy,
} from '../common/service-endpoints.js';
import { TriggerTimeTracker, withTriggerTimeAnnotation } from '../common/trigger-time-tracker.js';
import { desiredSubsets, truncateSubsets } from './endpoint-subsets.js';

export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

export class EndpointsController extends QueueController {
  readonly name = ENDPOINTS_CONTROLLER_NAME;
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext) {
    super(ctx.log(ENDPOINTS_CONTROLLER_NAME));
    this.client = ctx.client;
    this.events = ctx.events(ENDPOINTS_CONTROLLER_NAME);
    this.services = ctx.informers.for<Service>(SERVICES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.endpoints = ctx.informers.for<Endpoints>(ENDPOINTS);
    enqueueServicesOnChange(this.services, this.pods, (key) => this.queue.add(key));
    // A managed Endpoints deleted by someone else is written again.
    this.endpoints.addHandler({ delete: (ep) => this.queue.add(objectKey(ep)) });
  }

  override async run(signal: AbortSignal): Promise<void> {
    // Endpoints this controller wrote for services deleted while it was not running.
    for (const ep of this.endpoints.list())
      if (ep.metadata.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_CONTROLLER_NAME)
        this.queue.add(objectKey(ep));
    return super.run(signal);
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      this.triggerTimes.forget(key);
      if (namespace === 'default' && name === 'kubernetes') return;
      await this.client.delete(ENDPOINTS, namespace, name).catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound')) throw err;
      });
      return;
    }
    if (isApiServerService(svc) || !hasManagedEndpoints(svc)) return;

    const pods = podsSelectedBy(this.pods, svc);
    // Computed on every sync so that the tracker's view stays current even when nothing is written.
    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const subsets = desiredSubsets(svc, pods);
    const labels: Record<string, string> = {
      ...(svc.metadata.labels ?? {}),
      [ENDPOINTS_MANAGED_BY_LABEL]: ENDPOINTS_CONTROLLER_NAME,
    };
    if (isHeadless(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
    else delete labels[HEADLESS_SERVICE_LABEL];

    const truncated = truncateSubsets(subsets);
    const current = this.endpoints.get(namespace, name);
    if (
      current &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata.labels ?? {}, labels) &&
      OVER_CAPACITY_ANNOTATION in (current.metadata.annotations ?? {}) === truncated
    )
      return;

    const annotations = withTriggerTimeAnnotation(current?.metadata.annotations, triggerTime, {
      [OVER_CAPACITY_ANNOTATION]: truncated ? 'truncated' : undefined,
    });

    const next: Endpoints = {
      ...(current ?? {}),
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations },
    } as Endpoints;
    if (subsets.length) next.subsets = subsets;
    else delete next.subsets;

    try {
      if (current) await this.client.update(ENDPOINTS, next);
      else await this.client.create(ENDPOINTS, namespace, next);
    } catch (err) {
      // A terminating namespace takes no new objects: nothing to do until it is gone.
      if (!current && isStatusError(err, 'Forbidden')) return;
      // A stale cache: the next attempt reads the newer object.
      if (isStatusError(err, 'Conflict') || isStatusError(err, 'AlreadyExists')) throw err;
      if (current)
        this.events.event(
          next,
          'Warning',
          'FailedToUpdateEndpoint',
          `Failed to update endpoint ${namespace}/${name}: ${(err as Error).message}`,
        );
      else
        this.events.event(
          next,
          'Warning',
          'FailedToCreateEndpoint',
          `Failed to create endpoint for service ${namespace}/${name}: ${(err as Error).message}`,
        );
      throw err;
    }
  }
}
