/**
 * Resource arithmetic as the scheduler does it: a pod's effective requests (containers summed, init
 * containers as a floor, restartable "sidecar" init containers added to both, pod-level requests and
 * spec.overhead on top) and a node's allocatable, in plain numbers: CPU in millicores, everything else
 * in whole units (bytes for memory and ephemeral-storage), as kube-scheduler's framework.Resource.
 */
import { Quantity } from '../../apimachinery/quantity.js';
import { containersNeed } from '../../api/core/pod-resources.js';
import type { Arithmetic } from '../../api/core/pod-resources.js';
import type { Container, Pod } from '../../client/objects.js';

export interface Resources {
  cpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (`example.com/gpu`, `hugepages-2Mi`), only when there are any. */
  scalar?: Map<string, number>;
}

/** The requests the scoring plugins assume for a container that asks for no CPU or memory. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ cpu: 0, memory: 0, ephemeralStorage: 0 });

type QuantityMap = Record<string, string | number> | undefined;
type Amounts = Map<string, number>;

/** A quantity in the scheduler's unit for `name`: millicores for cpu, whole units otherwise. */
function amount(name: string, q: Quantity): number {
  return Number(name === 'cpu' ? q.milli : q.value());
}

function amounts(list: QuantityMap): Amounts {
  const out: Amounts = new Map();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = Quantity.tryParse(raw);
    if (q) out.set(name, amount(name, q));
  }
  return out;
}

const NUMBERS: Arithmetic<number> = { add: (a, b) => a + b, max: Math.max };

function addInto(to: Amounts, from: Amounts): void {
  for (const [k, v] of from) to.set(k, (to.get(k) ?? 0) + v);
}

/** Resource names the scheduler tracks individually besides cpu, memory, storage and pods. */
export function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/**
 * The containers' need (containersNeed, shared with quota). `fill` supplies a default for a resource a
 * container does not request at all (the scoring view).
 */
function aggregate(pod: Pod, fill?: Amounts): Amounts {
  const of = (c: Container): Amounts => {
    const a = amounts(c.resources?.requests);
    if (fill) for (const [k, v] of fill) if (!a.has(k)) a.set(k, v);
    return a;
  };
  return containersNeed(pod.spec?.containers, pod.spec?.initContainers, of, NUMBERS);
}

/** spec.resources (pod-level requests, cpu and memory only) replace the containers' sum where set. */
function applyPodLevel(pod: Pod, to: Amounts): void {
  const spec = pod.spec as { resources?: { requests?: QuantityMap } } | undefined;
  const podLevel = amounts(spec?.resources?.requests);
  for (const name of ['cpu', 'memory']) {
    const v = podLevel.get(name);
    if (v !== undefined) to.set(name, v);
  }
}

function toResources(a: Amounts): Resources {
  const r = emptyResources();
  for (const [name, v] of a) {
    if (name === 'cpu') r.cpu = v;
    else if (name === 'memory') r.memory = v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = v;
    else if (isScalarResource(name)) (r.scalar ??= new Map()).set(name, v);
  }
  return r;
}

export interface PodResourceRequests {
  /** What NodeResourcesFit compares with the node's free allocatable. */
  requests: Resources;
  /** CPU and memory with defaults for containers that request none, what scoring compares. */
  nonZeroCpu: number;
  nonZeroMemory: number;
}

export function podResourceRequests(pod: Pod): PodResourceRequests {
  const overhead = amounts(pod.spec?.overhead);
  const real = aggregate(pod);
  applyPodLevel(pod, real);
  addInto(real, overhead);
  const filled = aggregate(
    pod,
    new Map([
      ['cpu', DEFAULT_MILLI_CPU_REQUEST],
      ['memory', DEFAULT_MEMORY_REQUEST],
    ]),
  );
  applyPodLevel(pod, filled);
  addInto(filled, overhead);
  return {
    requests: toResources(real),
    nonZeroCpu: filled.get('cpu') ?? 0,
    nonZeroMemory: filled.get('memory') ?? 0,
  };
}

/** A node's status.allocatable: the resources and how many pods it takes. */
export function nodeAllocatable(list: QuantityMap): { resources: Resources; pods: number } {
  const a = amounts(list);
  return { resources: toResources(a), pods: a.get('pods') ?? 0 };
}

/** `to += from * sign`, in place. */
export function addResources(to: Resources, from: Resources, sign = 1): void {
  to.cpu += from.cpu * sign;
  to.memory += from.memory * sign;
  to.ephemeralStorage += from.ephemeralStorage * sign;
  if (from.scalar)
    for (const [k, v] of from.scalar) {
      const m = (to.scalar ??= new Map());
      m.set(k, (m.get(k) ?? 0) + v * sign);
    }
}

export function cloneResources(r: Resources): Resources {
  return { ...r, scalar: r.scalar ? new Map(r.scalar) : undefined };
}
