/**
 * The EndpointSlice controller: the pods a Service selects, as EndpointSlices named `<service>-<random>`
 * owned by the Service and labelled `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, one set per address type.
 * Each endpoint carries its ready/serving/terminating conditions, node, zone, hostname and pod; pods
 * with the same resolved ports share slices of at most 100 endpoints. Services without a selector,
 * ExternalName services and the API server's `kubernetes` Service are left alone.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { EndpointSlice, Node, Pod, Service } from '../../client/objects.js';
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { isPodReady } from '../common/pod-util.js';
import {
  HEADLESS_SERVICE_LABEL,
  enqueueServicesOnChange,
  findPort,
  hasManagedEndpoints,
  isHeadless,
  podIPOfFamily,
  podsSelectedBy,
  serviceIPFamilies,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../common/service-endpoints.js';
import { TriggerTimeTracker } from '../common/trigger-time-tracker.js';
import { planSlices, portsKey } from './slice-plan.js';
import type { EndpointGroup, SliceEndpoint, SliceMeta, SlicePort } from './slice-plan.js';
import { SliceTracker } from './slice-tracker.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const SERVICE_INDEX = 'service';
/** A pod on a node not (yet) in the cache is left out, and the service looked at again after this. */
const MISSING_NODE_RETRY_MS = 1_000;
/** A cache that has not seen our last writes is looked at again after this. */
const STALE_CACHE_RETRY_MS = 100;

const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_SERVICE_LABEL]);

type AddressType = 'IPv4' | 'IPv6';

export class EndpointSliceController extends QueueController {
  readonly name = 'endpointslice-controller';
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly tracker = new SliceTracker();

  constructor(ctx: ControllerContext) {
    super(ctx.log('endpointslice-controller'));
    this.client = ctx.client;
    this.events = ctx.events('endpoint-slice-controller');
    this.services = ctx.informers.for<Service>(SERVICES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.slices = ctx.informers.for<EndpointSlice>(ENDPOINT_SLICES, {
      labelSelector: `${MANAGED_BY_LABEL}=${ENDPOINTSLICE_CONTROLLER_NAME}`,
    });
    enqueueServicesOnChange(this.services, this.pods, (key) => this.queue.add(key));
    this.slices.addIndex(SERVICE_INDEX, (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata.namespace ?? ''}/${svc}`] : [];
    });

    this.nodes.addHandler({
      update: (old, node) => {
        if (old.metadata.labels?.[ZONE_LABEL] === node.metadata.labels?.[ZONE_LABEL]) return;
        for (const svc of this.services.list()) if (hasManagedEndpoints(svc)) this.queue.add(objectKey(svc));
      },
    });
    const sliceChanged = (slice: EndpointSlice) => {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.queue.add(`${slice.metadata.namespace ?? ''}/${svc}`);
    };
    this.slices.addHandler({ add: sliceChanged, update: (_o, s) => sliceChanged(s), delete: sliceChanged });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      // The slices go with the Service: the garbage collector follows their owner references.
      this.triggerTimes.forget(key);
      this.tracker.forget(key);
      return;
    }
    if (!hasManagedEndpoints(svc)) return;
    const cached = this.slices.byIndex(SERVICE_INDEX, key);
    if (this.tracker.stale(key, cached)) {
      this.queue.addAfter(key, STALE_CACHE_RETRY_MS);
      return;
    }

    const pods = podsSelectedBy(this.pods, svc);
    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const labels = sliceLabels(svc);
    const families = serviceIPFamilies(svc);
    const owned = (s: EndpointSlice) =>
      (s.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === svc.metadata.uid);
    // Slices of another (old) Service of the same name, or of an address type no longer served.
    const stray = cached.filter((s) => !owned(s) || !families.includes(s.addressType as AddressType));

    let missingNode = false;
    const plans = families.map((family) => {
      const groups = new Map<string, EndpointGroup>();
      for (const pod of pods) {
        if (!shouldPodBeInEndpoints(pod, true)) continue;
        const node = pod.spec?.nodeName ? this.nodes.get(undefined, pod.spec.nodeName) : undefined;
        if (!node && !svc.spec?.publishNotReadyAddresses) {
          missingNode = true;
          continue;
        }
        const ep = endpointOf(pod, svc, node, family);
        if (!ep) continue;
        const ports = portsOf(pod, svc);
        const k = portsKey(ports);
        let group = groups.get(k);
        if (!group) groups.set(k, (group = { ports, endpoints: [] }));
        group.endpoints.push(ep);
      }
      const existing = cached.filter((s) => owned(s) && s.addressType === family);
      const meta: SliceMeta = {
        labels,
        triggerTime,
        newSlice: (ports) => newSlice(svc, family, labels, ports),
      };
      return planSlices(existing, groups, meta);
    });

    try {
      // Creates first, deletes last, so that the service is never without its endpoints in between.
      for (const p of plans)
        for (const slice of p.create) {
          const created = await this.client.create<EndpointSlice>(ENDPOINT_SLICES, namespace, slice);
          this.tracker.written(key, created);
        }
      for (const p of plans)
        for (const slice of p.update)
          this.tracker.written(key, await this.client.update<EndpointSlice>(ENDPOINT_SLICES, slice));
      for (const slice of [...plans.flatMap((p) => p.delete), ...stray]) {
        await this.client
          .delete(ENDPOINT_SLICES, namespace, slice.metadata.name, {
            preconditions: { uid: slice.metadata.uid },
          })
          .catch((err: unknown) => {
            if (!isStatusError(err, 'NotFound')) throw err;
          });
        this.tracker.deleted(key, slice);
      }
    } catch (err) {
      // A terminating namespace takes no new slices, and a conflict means our cache was behind.
      if (isStatusError(err, 'Forbidden')) return;
      if (!isStatusError(err, 'Conflict'))
        this.events.event(
          svc,
          'Warning',
          'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Service ${namespace}/${name}: ${(err as Error).message}`,
        );
      throw err;
    }
    if (missingNode) this.queue.addAfter(key, MISSING_NODE_RETRY_MS);
  }
}

/** The Service's own labels (less the reserved ones) and the controller's. */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = ENDPOINTSLICE_CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
  return labels;
}

function newSlice(
  svc: Service,
  addressType: AddressType,
  labels: Record<string, string>,
  ports: SlicePort[],
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name,
          uid: svc.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType,
    ports,
    endpoints: [],
  } as unknown as EndpointSlice;
}

/** The service ports as resolved on this pod; ports the pod does not have are left out. */
function portsOf(pod: Pod, svc: Service): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

function endpointOf(
  pod: Pod,
  svc: Service,
  node: Node | undefined,
  family: AddressType,
): SliceEndpoint | undefined {
  const ip = podIPOfFamily(pod, family);
  if (!ip) return undefined;
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const serving = publishNotReady || isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  // Terminating pods are never ready, unless the service publishes not-ready addresses.
  const ready = publishNotReady || (serving && !terminating);
  const ep: SliceEndpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  ep.targetRef = {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  return ep;
}
