/**
 * The subsets of a Service's Endpoints, computed from its pods as kube-controller-manager's endpoints
 * controller does: one address per pod (ready or not ready), the service ports resolved per pod, then
 * repacked so addresses sharing the same ports share a subset, and capped at 1000 addresses.
 */
import type { Endpoints, Pod, Service } from '../../client/objects.js';
import { isPodReady } from '../common/pod-util.js';
import {
  endpointIP,
  findPort,
  isHeadless,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../common/service-endpoints.js';

export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];
export type EndpointAddress = NonNullable<EndpointSubset['addresses']>[number];
export type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

/** Endpoints hold at most this many addresses; beyond it they are truncated and annotated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

interface Entry {
  address: EndpointAddress;
  ready: boolean;
  /** undefined: a headless service without ports. */
  port: EndpointPort | undefined;
}

function addressOf(pod: Pod, svc: Service, ip: string): EndpointAddress {
  const a: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  };
  return a;
}

function entriesFor(svc: Service, pods: Pod[]): Entry[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const out: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = endpointIP(pod, svc);
    if (!ip) continue;
    const address = addressOf(pod, svc, ip);
    const ready = publishNotReady || isPodReady(pod);
    if (!ports.length) {
      if (isHeadless(svc)) out.push({ address, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      const port: EndpointPort = { port: num, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) port.name = sp.name;
      if (sp.appProtocol) port.appProtocol = sp.appProtocol;
      out.push({ address, ready, port });
    }
  }
  return out;
}

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort | undefined) =>
  p ? `${p.name ?? ''}/${p.port}/${p.protocol ?? ''}/${p.appProtocol ?? ''}` : '';
const compareAddresses = (a: EndpointAddress, b: EndpointAddress) =>
  a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
const comparePorts = (a: EndpointPort, b: EndpointPort) =>
  (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port;

/**
 * Repacking: for every port the set of (address, ready) it reaches; ports reaching the same set share a
 * subset. Addresses and ports are sorted so equal inputs give equal subsets.
 */
function repack(entries: Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, Entry> }>();
  for (const e of entries) {
    const k = portKey(e.port);
    let slot = byPort.get(k);
    if (!slot) byPort.set(k, (slot = { port: e.port, addrs: new Map() }));
    const ak = addressKey(e.address);
    // An address ready for one container port and not for another is listed as not ready.
    const prev = slot.addrs.get(ak);
    if (!prev || (prev.ready && !e.ready)) slot.addrs.set(ak, e);
  }
  const bySet = new Map<string, { entries: Entry[]; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const list = [...addrs.values()].sort((a, b) => compareAddresses(a.address, b.address));
    const k = list.map((e) => `${addressKey(e.address)}=${e.ready}`).join(',');
    let group = bySet.get(k);
    if (!group) bySet.set(k, (group = { entries: list, ports: [] }));
    if (port) group.ports.push(port);
  }
  const subsets = [...bySet.values()].map(({ entries: list, ports }) => {
    const s: EndpointSubset = {};
    const ready = list.filter((e) => e.ready).map((e) => e.address);
    const notReady = list.filter((e) => !e.ready).map((e) => e.address);
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (ports.length) s.ports = ports.sort(comparePorts);
    return s;
  });
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '';
  return subsets.sort((a, b) => first(a).localeCompare(first(b)) || portsText(a).localeCompare(portsText(b)));
}

const portsText = (s: EndpointSubset) => (s.ports ?? []).map(portKey).join(',');

/** The subsets the Service's Endpoints should hold for these (selected) pods. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  return repack(entriesFor(svc, pods));
}

/**
 * Cuts the subsets down to MAX_ENDPOINTS_CAPACITY addresses, ready ones first, sharing the room among
 * subsets in proportion to their size (kube's truncateEndpoints). Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= MAX_ENDPOINTS_CAPACITY) return false;
  const cutReady = totalReady > MAX_ENDPOINTS_CAPACITY;
  const room = cutReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - totalReady;
  const total = cutReady ? totalReady : totalNotReady;
  let left = room;
  for (const s of subsets) {
    const list = (cutReady ? s.addresses : s.notReadyAddresses) ?? [];
    const take = Math.min(Math.ceil((list.length / total) * room), left);
    const kept = list.slice(0, take);
    if (cutReady) {
      if (kept.length) s.addresses = kept;
      else delete s.addresses;
      delete s.notReadyAddresses;
    } else if (kept.length) s.notReadyAddresses = kept;
    else delete s.notReadyAddresses;
    left -= kept.length;
  }
  return true;
}
