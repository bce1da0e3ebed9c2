/**
 * A pod's effective resource requests and limits, as the scheduler and quota count them: the larger of
 * the sum over app containers (plus restartable sidecar init containers, which keep running) and the
 * largest single init container (plus the sidecars started before it), then the pod overhead on top.
 */
import { Quantity, resourceList } from '../../apimachinery/quantity.js';

type ResourceMap = Map<string, Quantity>;

interface ContainerLike {
  restartPolicy?: string;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}

export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  overhead?: Record<string, string | number>;
}

function addInto(into: ResourceMap, add: ResourceMap): void {
  for (const [k, v] of add) into.set(k, (into.get(k) ?? Quantity.zero()).add(v));
}

function maxInto(into: ResourceMap, other: ResourceMap): void {
  for (const [k, v] of other) {
    const cur = into.get(k);
    if (!cur || v.cmp(cur) > 0) into.set(k, v);
  }
}

/** A container's requests; where only a limit is given the request defaults to it (as API defaulting does). */
function containerList(c: ContainerLike, which: 'requests' | 'limits'): ResourceMap {
  if (which === 'limits') return resourceList(c.resources?.limits);
  const out = resourceList(c.resources?.limits);
  for (const [k, v] of resourceList(c.resources?.requests)) out.set(k, v);
  return out;
}

export function podResources(spec: PodSpecLike | undefined, which: 'requests' | 'limits'): ResourceMap {
  const total: ResourceMap = new Map();
  for (const c of spec?.containers ?? []) addInto(total, containerList(c, which));
  const sidecars: ResourceMap = new Map();
  const initPeak: ResourceMap = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = containerList(c, which);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, own);
      addInto(total, own);
      continue;
    }
    const during: ResourceMap = new Map(sidecars);
    addInto(during, own);
    maxInto(initPeak, during);
  }
  maxInto(total, initPeak);
  if (spec?.overhead) addInto(total, resourceList(spec.overhead));
  return total;
}

export const podRequests = (spec: PodSpecLike | undefined): ResourceMap => podResources(spec, 'requests');
export const podLimits = (spec: PodSpecLike | undefined): ResourceMap => podResources(spec, 'limits');

/** No container sets any request or limit (the BestEffort QoS class). */
export function isBestEffort(spec: PodSpecLike | undefined): boolean {
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].every(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length === 0 &&
      Object.keys(c.resources?.limits ?? {}).length === 0,
  );
}
