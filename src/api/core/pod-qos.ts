/**
 * A pod's QoS class (status.qosClass), as Kubernetes computes it when the pod is created: from the cpu
 * and memory requests and limits summed over its init and app containers.
 * - BestEffort: no container requests or limits any cpu or memory.
 * - Guaranteed: every container limits both cpu and memory, and the summed requests equal the summed limits.
 * - Burstable: anything else.
 */
import { Quantity, resourceList } from '../../apimachinery/quantity.js';
import type { PodSpecLike } from './pod-resources.js';

export type QosClass = 'BestEffort' | 'Burstable' | 'Guaranteed';

const QOS_RESOURCES = ['cpu', 'memory'];

function addPositive(into: Map<string, Quantity>, list: Map<string, Quantity>): Set<string> {
  const found = new Set<string>();
  for (const [name, q] of list) {
    if (!QOS_RESOURCES.includes(name) || q.cmp(Quantity.zero()) <= 0) continue;
    found.add(name);
    into.set(name, (into.get(name) ?? Quantity.zero()).add(q));
  }
  return found;
}

export function podQosClass(spec: PodSpecLike | undefined): QosClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    addPositive(requests, resourceList(c.resources?.requests));
    const limited = addPositive(limits, resourceList(c.resources?.limits));
    if (!QOS_RESOURCES.every((r) => limited.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (!lim || lim.cmp(req) !== 0) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** The BestEffort QoS class, which the BestEffort/NotBestEffort quota scopes select by. */
export const isBestEffort = (spec: PodSpecLike | undefined): boolean => podQosClass(spec) === 'BestEffort';
