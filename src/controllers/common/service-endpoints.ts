/**
 * What the Endpoints and EndpointSlice controllers agree on about a Service and its pods: which
 * services they manage, which pods become endpoints, the address of a pod for the service's IP
 * family, the port a service port resolves to on a pod, and which services a pod change concerns.
 */
import { selectorFromSet } from '../../apimachinery/labels/index.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import type { Pod, Service } from '../../client/objects.js';
import { inNamespace, indexByNamespace } from './indexes.js';
import { isPodReady, isPodTerminal } from './pod-util.js';

export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';

export type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];

/** The Service in `default` whose endpoints the API server itself maintains (src/apiserver/controlplane). */
export function isApiServerService(svc: Service): boolean {
  return svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes';
}

/**
 * Services whose endpoints the controllers compute: they have a selector and are not ExternalName.
 * Services without a selector have endpoints their users write.
 */
export function hasManagedEndpoints(svc: Service): boolean {
  return !isApiServerService(svc) && svc.spec?.type !== 'ExternalName' && svc.spec?.selector !== undefined;
}

/** No cluster IP (`None` or unset): a headless service. */
export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None';
}

/** Not finished, has an IP, and (unless terminating pods are wanted) not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** A pod's hostname is published when it names the service as its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    Boolean(pod.spec?.hostname) &&
    pod.spec?.subdomain === svc.metadata.name &&
    pod.metadata.namespace === svc.metadata.namespace
  );
}

const isIPv6 = (ip: string) => ip.includes(':');

/** The pod's IPs, `status.podIPs` or else the single `status.podIP`. */
function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (!ips.length && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

/** The pod's IP of one address family, if it has one. */
export function podIPOfFamily(pod: Pod, family: 'IPv4' | 'IPv6'): string | undefined {
  return podIPs(pod).find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

/** The service's address families: `spec.ipFamilies`, else that of its cluster IP, else IPv4. */
export function serviceIPFamilies(svc: Service): ('IPv4' | 'IPv6')[] {
  const families = (svc.spec?.ipFamilies ?? []).filter((f) => f === 'IPv4' || f === 'IPv6');
  if (families.length) return families;
  const ip = svc.spec?.clusterIP;
  return [ip && ip !== 'None' && isIPv6(ip) ? 'IPv6' : 'IPv4'];
}

/** The pod's IP for the service's (first) address family. */
export function endpointIP(pod: Pod, svc: Service): string | undefined {
  return podIPOfFamily(pod, serviceIPFamilies(svc)[0]!);
}

/**
 * The container port a service port targets on this pod: a number is taken as is, a name is looked
 * up among the containers' (and sidecars') ports with the same protocol; undefined if the pod has no
 * such port.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars])
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function selects(svc: Service, pod: Pod): boolean {
  return (
    svc.metadata.namespace === pod.metadata.namespace &&
    svc.spec?.selector !== undefined &&
    selectorFromSet(svc.spec.selector).matches(pod.metadata.labels ?? {})
  );
}

/** Whether anything an endpoint shows about the pod differs. */
function endpointFieldsChanged(a: Pod, b: Pod): boolean {
  const view = (p: Pod) =>
    JSON.stringify([
      p.status?.podIP,
      p.status?.podIPs,
      p.status?.phase,
      isPodReady(p),
      Boolean(p.metadata.deletionTimestamp),
      p.spec?.nodeName,
      p.spec?.hostname,
      p.spec?.subdomain,
    ]);
  return view(a) !== view(b);
}

/** Keys of the managed services a pod event concerns: those selecting it before or after (services indexed by namespace). */
export function servicesForPodChange(
  services: Informer<Service>,
  oldPod: Pod | undefined,
  pod: Pod,
): string[] {
  const labelsChanged =
    oldPod !== undefined && JSON.stringify(oldPod.metadata.labels) !== JSON.stringify(pod.metadata.labels);
  if (oldPod && !labelsChanged && !endpointFieldsChanged(oldPod, pod)) return [];
  const keys = new Set<string>();
  for (const svc of inNamespace(services, pod.metadata.namespace ?? '')) {
    if (!hasManagedEndpoints(svc)) continue;
    if (selects(svc, pod) || (labelsChanged && oldPod && selects(svc, oldPod))) keys.add(objectKey(svc));
  }
  return [...keys];
}

/** Selected pods of a service, from the pod cache (indexed with `indexByNamespace`). */
export function podsSelectedBy(pods: Informer<Pod>, svc: Service): Pod[] {
  const sel = selectorFromSet(svc.spec?.selector ?? {});
  return inNamespace(pods, svc.metadata.namespace ?? '').filter((p) => sel.matches(p.metadata.labels));
}

/**
 * The event wiring both endpoints controllers share: a service's key on any change to it, and the keys
 * of the services a pod change concerns. Indexes both informers by namespace.
 */
export function enqueueServicesOnChange(
  services: Informer<Service>,
  pods: Informer<Pod>,
  enqueue: (serviceKey: string) => void,
): void {
  indexByNamespace(services);
  indexByNamespace(pods);
  const svcChanged = (svc: Service) => enqueue(objectKey(svc));
  services.addHandler({ add: svcChanged, update: (_o, svc) => svcChanged(svc), delete: svcChanged });
  const podChanged = (old: Pod | undefined, pod: Pod) => {
    for (const key of servicesForPodChange(services, old, pod)) enqueue(key);
  };
  pods.addHandler({
    add: (pod) => podChanged(undefined, pod),
    update: podChanged,
    delete: (pod) => podChanged(undefined, pod),
  });
}
