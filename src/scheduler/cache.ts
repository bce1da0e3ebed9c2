/**
 * The scheduler's view of the cluster: every node with the pods placed on it, both those the API
 * reports bound and those assumed, i.e. chosen by this scheduler whose binding is still in flight, so
 * the next pod already sees the room they take. A failed binding forgets the assumed pod; the watch
 * event of the bound pod confirms it. Nodes are listed in a stable order for round-robin sampling.
 */
import type { Labels } from '../apimachinery/labels/index.js';
import type { Node } from '../client/objects.js';
import { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import type { ClusterView } from './framework/types.js';

interface Placement {
  node: string;
  pod: PodInfo;
  assumed: boolean;
}

export type Lookups = Pick<ClusterView, 'namespaceLabels' | 'pvc' | 'pv' | 'pvs' | 'storageClass'>;

export class SchedulerCache implements ClusterView {
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes that exist (have a Node object), in the order they were added. */
  private readonly ordered: NodeInfo[] = [];
  private readonly placements = new Map<string, Placement>();

  constructor(private readonly lookups: Lookups) {}

  nodes(): readonly NodeInfo[] {
    return this.ordered;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n?.hasNode ? n : undefined;
  }

  namespaceLabels(namespace: string): Labels | undefined {
    return this.lookups.namespaceLabels(namespace);
  }

  pvc: Lookups['pvc'] = (namespace, name) => this.lookups.pvc(namespace, name);
  pv: Lookups['pv'] = (name) => this.lookups.pv(name);
  pvs: Lookups['pvs'] = () => this.lookups.pvs();
  storageClass: Lookups['storageClass'] = (name) => this.lookups.storageClass(name);

  get nodeCount(): number {
    return this.ordered.length;
  }

  get podCount(): number {
    return this.placements.size;
  }

  private info(name: string): NodeInfo {
    let n = this.infos.get(name);
    if (!n) this.infos.set(name, (n = new NodeInfo(name)));
    return n;
  }

  setNode(node: Node): void {
    const n = this.info(node.metadata.name);
    const isNew = !n.hasNode;
    n.setNode(node);
    if (isNew) this.ordered.push(n);
  }

  removeNode(name: string): void {
    const n = this.infos.get(name);
    if (!n?.hasNode) return;
    const i = this.ordered.indexOf(n);
    if (i >= 0) this.ordered.splice(i, 1);
    // Pods still placed there keep their NodeInfo until they go, as kube's cache does.
    if (n.pods.size === 0) this.infos.delete(name);
    else n.clearNode();
  }

  /** Where the pod is placed (bound or assumed), if anywhere. */
  placement(key: string): { node: string; assumed: boolean } | undefined {
    return this.placements.get(key);
  }

  isAssumed(key: string): boolean {
    return this.placements.get(key)?.assumed === true;
  }

  /** The pod is placed on `node` as the API says (bound), replacing any earlier version or assumption. */
  setPod(pod: PodInfo, node: string): void {
    this.removePod(pod.key);
    this.info(node).addPod(pod);
    this.placements.set(pod.key, { node, pod, assumed: false });
  }

  /** Places the pod on `node` before its binding is confirmed. */
  assume(pod: PodInfo, node: string): void {
    this.removePod(pod.key);
    this.info(node).addPod(pod);
    this.placements.set(pod.key, { node, pod, assumed: true });
  }

  /** The binding failed: the pod no longer takes room (only if it is still just assumed). */
  forget(key: string): void {
    if (this.isAssumed(key)) this.removePod(key);
  }

  removePod(key: string): void {
    const p = this.placements.get(key);
    if (!p) return;
    this.placements.delete(key);
    const n = this.infos.get(p.node);
    if (!n) return;
    n.removePod(p.pod);
    if (!n.hasNode && n.pods.size === 0) this.infos.delete(p.node);
  }
}
