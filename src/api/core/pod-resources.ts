/**
 * A pod's effective resource requests and limits, as quota counts them (and, through containersNeed,
 * the scheduler): the larger of the sum over app containers (plus restartable sidecar init containers,
 * which keep running) and the largest single init container (plus the sidecars started before it),
 * then the pod overhead on top.
 */
import type { Quantity } from '../../apimachinery/quantity.js';
import { resourceList } from '../../apimachinery/quantity.js';

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

/** How the amounts of one kind of resource arithmetic add up and compare (Quantity, or plain numbers). */
export interface Arithmetic<T> {
  add(a: T, b: T): T;
  max(a: T, b: T): T;
}

function addInto<T>(into: Map<string, T>, add: Map<string, T>, arith: Arithmetic<T>): void {
  for (const [k, v] of add) {
    const cur = into.get(k);
    into.set(k, cur === undefined ? v : arith.add(cur, v));
  }
}

function maxInto<T>(into: Map<string, T>, other: Map<string, T>, arith: Arithmetic<T>): void {
  for (const [k, v] of other) {
    const cur = into.get(k);
    into.set(k, cur === undefined ? v : arith.max(cur, v));
  }
}

/**
 * What a pod's containers need at most at once, per resource: the app containers summed, raised to
 * what the largest init container needs while it runs. A restartable ("sidecar") init container keeps
 * running: it counts towards the sum and towards the need of every init container after it. `of` gives
 * one container's amounts. The one implementation the scheduler and quota both use.
 */
export function containersNeed<C extends { restartPolicy?: string }, T>(
  containers: readonly C[] | undefined,
  initContainers: readonly C[] | undefined,
  of: (c: C) => Map<string, T>,
  arith: Arithmetic<T>,
): Map<string, T> {
  const sum = new Map<string, T>();
  for (const c of containers ?? []) addInto(sum, of(c), arith);
  const sidecars = new Map<string, T>();
  const initFloor = new Map<string, T>();
  for (const c of initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === 'Always') {
      addInto(sum, own, arith);
      addInto(sidecars, own, arith);
      continue;
    }
    const need = new Map(sidecars);
    addInto(need, own, arith);
    maxInto(initFloor, need, arith);
  }
  maxInto(sum, initFloor, arith);
  return sum;
}

const QUANTITY: Arithmetic<Quantity> = { add: (a, b) => a.add(b), max: (a, b) => (b.cmp(a) > 0 ? b : a) };

/** A container's requests; where only a limit is given the request defaults to it (as API defaulting does). */
function containerList(c: ContainerLike, which: 'requests' | 'limits'): ResourceMap {
  if (which === 'limits') return resourceList(c.resources?.limits);
  const out = resourceList(c.resources?.limits);
  for (const [k, v] of resourceList(c.resources?.requests)) out.set(k, v);
  return out;
}

export function podResources(spec: PodSpecLike | undefined, which: 'requests' | 'limits'): ResourceMap {
  const total = containersNeed(
    spec?.containers,
    spec?.initContainers,
    (c) => containerList(c, which),
    QUANTITY,
  );
  if (spec?.overhead) addInto(total, resourceList(spec.overhead), QUANTITY);
  return total;
}

export const podRequests = (spec: PodSpecLike | undefined): ResourceMap => podResources(spec, 'requests');
export const podLimits = (spec: PodSpecLike | undefined): ResourceMap => podResources(spec, 'limits');
