/**
 * Nominated pods: pods that preempted others and wait for their victims to go, by the node they were
 * nominated to. Other pods of no higher priority must leave that room to them.
 */
import type { PodInfo } from './pod-info.js';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  add(pod: PodInfo, node: string): void {
    this.remove(pod.key);
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map<string, PodInfo>()));
    m.set(pod.key, pod);
    this.nodeOf.set(pod.key, node);
  }

  remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m?.size === 0) this.byNode.delete(node);
  }

  nodeFor(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** Pods nominated to `node`, other than `pod`, whose priority is at least `pod`'s. */
  blocking(node: string, pod: PodInfo): PodInfo[] {
    const m = this.byNode.get(node);
    if (!m) return [];
    const out: PodInfo[] = [];
    for (const p of m.values()) if (p.key !== pod.key && p.priority >= pod.priority) out.push(p);
    return out;
  }

  /** Pods nominated to `node` with a priority below `priority`. */
  lower(node: string, priority: number): PodInfo[] {
    return [...(this.byNode.get(node)?.values() ?? [])].filter((p) => p.priority < priority);
  }
}
