/** Nodes, pods and a cluster view built in memory for the scheduler's unit tests (no server). */
import type { Labels } from '../../src/apimachinery/labels/index.js';
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  StorageClass,
  Pod,
  PodSpec,
  Taint,
} from '../../src/client/objects.js';
import { SchedulerCache } from '../../src/scheduler/cache.js';
import type { NodeInfo } from '../../src/scheduler/framework/node-info.js';
import { PodInfo } from '../../src/scheduler/framework/pod-info.js';
import { CycleState } from '../../src/scheduler/framework/types.js';
import type { FilterPlugin, Rejection, ScorePlugin } from '../../src/scheduler/framework/types.js';

let uid = 0;

export interface NodeOptions {
  labels?: Record<string, string>;
  allocatable?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function node(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `node-${name}`,
      resourceVersion: '1',
      creationTimestamp: '2024-01-01T00:00:00Z',
      labels: { 'kubernetes.io/hostname': name, ...o.labels },
    },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' } },
  };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  /** Requests of one container. */
  requests?: Record<string, string>;
  priority?: number;
  nodeName?: string;
  spec?: Partial<PodSpec>;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `pod-${++uid}`,
      resourceVersion: '1',
      creationTimestamp: '2024-01-01T00:00:00Z',
      labels: o.labels,
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: o.requests ? { requests: o.requests } : {} }],
      nodeName: o.nodeName,
      priority: o.priority,
      ...o.spec,
    },
  };
}

export const info = (p: Pod, priority = p.spec?.priority ?? 0) => new PodInfo(p, priority);

export interface ClusterOptions {
  namespaces?: Record<string, Labels>;
  pvcs?: PersistentVolumeClaim[];
  pvs?: PersistentVolume[];
  storageClasses?: StorageClass[];
}

/** A cache holding `nodes` and the `pods` placed on them (by spec.nodeName). */
export function cluster(nodes: Node[], pods: Pod[] = [], o: ClusterOptions = {}): SchedulerCache {
  const c = new SchedulerCache({
    namespaceLabels: (ns) => o.namespaces?.[ns] ?? {},
    pvc: (ns, name) => o.pvcs?.find((x) => x.metadata.namespace === ns && x.metadata.name === name),
    pv: (name) => o.pvs?.find((x) => x.metadata.name === name),
    pvs: () => o.pvs ?? [],
    storageClass: (name) => o.storageClasses?.find((x) => x.metadata.name === name),
  });
  for (const n of nodes) c.setNode(n);
  for (const p of pods) c.setPod(info(p), p.spec!.nodeName!);
  return c;
}

/** Runs one filter plugin (with its preFilter) for `p` on every node: node name → rejection. */
export function filterAll(
  plugin: FilterPlugin,
  c: SchedulerCache,
  p: Pod,
): { preFilter?: Rejection; byNode: Map<string, Rejection | undefined> } {
  const state = new CycleState();
  const pi = info(p);
  const byNode = new Map<string, Rejection | undefined>();
  const pre = plugin.preFilter?.(state, pi, c);
  if (pre) return { preFilter: pre, byNode };
  for (const n of c.nodes()) byNode.set(n.name, plugin.filter(state, pi, n));
  return { byNode };
}

/** The first reason each node is rejected with ('' when it passes). */
export function reasons(r: ReturnType<typeof filterAll>): Record<string, string> {
  return Object.fromEntries([...r.byNode].map(([n, rej]) => [n, rej?.reasons.join(' | ') ?? '']));
}

/** One score plugin's normalised scores over `nodes` (all cache nodes by default). */
export function scoreAll(
  plugin: ScorePlugin,
  c: SchedulerCache,
  p: Pod,
  nodes: readonly NodeInfo[] = c.nodes(),
): Record<string, number> | 'skip' {
  const state = new CycleState();
  const pi = info(p);
  if (plugin.preScore && !plugin.preScore(state, pi, nodes, c)) return 'skip';
  const scores = nodes.map((n) => plugin.score(state, pi, n));
  plugin.normalize?.(state, pi, nodes, scores);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]!]));
}
