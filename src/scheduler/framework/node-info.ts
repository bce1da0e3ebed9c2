/**
 * A node with what is placed on it: the pods the scheduler knows are bound or assumed there, their
 * summed requests (real ones for fitting, defaulted ones for scoring), and the host ports in use.
 * kube-scheduler's framework.NodeInfo.
 */
import type { Labels } from '../../apimachinery/labels/index.js';
import type { Node, Taint } from '../../client/objects.js';
import type { HostPort, PodInfo } from './pod-info.js';
import { addResources, cloneResources, emptyResources, nodeAllocatable } from './resources.js';
import type { Resources } from './resources.js';

export class NodeInfo {
  /** Undefined once the Node is deleted while pods are still placed on it. */
  node: Node | undefined;
  labels: Labels = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Resources = emptyResources();
  allowedPods = 0;
  readonly requested: Resources = emptyResources();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  /** By pod key. */
  readonly pods = new Map<string, PodInfo>();
  /** How many of the pods have any (anti-)affinity, and required anti-affinity. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** `protocol/port` → the host IPs bound (one entry per pod port). */
  readonly usedPorts = new Map<string, string[]>();

  constructor(
    readonly name: string,
    node?: Node,
  ) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const a = nodeAllocatable(node.status?.allocatable);
    this.allocatable = a.resources;
    this.allowedPods = a.pods;
  }

  get hasNode(): boolean {
    return this.node !== undefined;
  }

  /** The Node object is gone; the pods placed there are kept until they go too. */
  clearNode(): void {
    this.node = undefined;
  }

  addPod(p: PodInfo): void {
    this.update(p, 1);
    this.pods.set(p.key, p);
  }

  /** Removes the pod with `p`'s key (whichever version of it is held). */
  removePod(p: PodInfo): boolean {
    const held = this.pods.get(p.key);
    if (!held) return false;
    this.update(held, -1);
    this.pods.delete(p.key);
    return true;
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, p.requests, sign);
    this.nonZeroCpu += p.nonZeroCpu * sign;
    this.nonZeroMemory += p.nonZeroMemory * sign;
    if (p.hasAffinity) this.podsWithAffinity += sign;
    if (p.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity += sign;
    for (const hp of p.hostPorts) {
      const k = portKey(hp);
      const ips = this.usedPorts.get(k) ?? [];
      if (sign > 0) ips.push(hp.ip);
      else {
        const i = ips.indexOf(hp.ip);
        if (i >= 0) ips.splice(i, 1);
      }
      if (ips.length) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
  }

  /** Whether `hp` clashes with a port in use: same protocol and port, and 0.0.0.0 or the same IP. */
  portInUse(hp: HostPort): boolean {
    const ips = this.usedPorts.get(portKey(hp));
    if (!ips) return false;
    return hp.ip === '0.0.0.0' || ips.some((ip) => ip === '0.0.0.0' || ip === hp.ip);
  }

  /** An independent copy for what-if evaluation (preemption, nominated pods). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.allowedPods = this.allowedPods;
    Object.assign(c.requested, cloneResources(this.requested));
    c.nonZeroCpu = this.nonZeroCpu;
    c.nonZeroMemory = this.nonZeroMemory;
    for (const [k, p] of this.pods) c.pods.set(k, p);
    c.podsWithAffinity = this.podsWithAffinity;
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity;
    for (const [k, ips] of this.usedPorts) c.usedPorts.set(k, [...ips]);
    return c;
  }
}

const portKey = (hp: HostPort): string => `${hp.protocol}/${hp.port}`;
