/**
 * A pod as the scheduler works with it: the object plus what the plugins would otherwise recompute
 * for every node: its priority, resource requests, host ports, tolerations and parsed (anti-)affinity
 * terms. Built once per pod version.
 */
import { nothing, selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelector, Labels } from '../../apimachinery/labels/index.js';
import { objectKey } from '../../client/informer.js';
import type { Pod, PodAffinityTerm, Toleration } from '../../client/objects.js';
import { podResourceRequests } from './resources.js';
import type { Resources } from './resources.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  selector: LabelSelector;
  /** Namespaces named by the term (the pod's own when it names none and has no namespaceSelector). */
  namespaces: ReadonlySet<string>;
  namespaceSelector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** Whether `pod` (in a namespace labelled `nsLabels`) is one the term selects. */
export function termMatches(
  term: AffinityTerm,
  pod: { namespace: string; labels: Labels },
  nsLabels: Labels | undefined,
): boolean {
  if (!term.namespaces.has(pod.namespace) && !term.namespaceSelector.matches(nsLabels)) return false;
  return term.selector.matches(pod.labels);
}

function affinityTerm(namespace: string, t: PodAffinityTerm): AffinityTerm {
  const named = t.namespaces ?? [];
  const hasSelector = t.namespaceSelector !== undefined && t.namespaceSelector !== null;
  return {
    selector: selectorFromLabelSelector(t.labelSelector),
    namespaces: new Set(named.length === 0 && !hasSelector ? [namespace] : named),
    namespaceSelector: hasSelector ? selectorFromLabelSelector(t.namespaceSelector) : nothing(),
    topologyKey: t.topologyKey,
  };
}

export class PodInfo {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly requests: Resources;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: HostPort[];
  readonly tolerations: Toleration[];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];
  /** status.startTime, or creation, in ms: how preemption tells older victims from newer ones. */
  readonly startTime: number;

  /** Throws a StatusError when an affinity term's selector is malformed. */
  constructor(
    readonly pod: Pod,
    readonly priority: number,
  ) {
    const meta = pod.metadata;
    this.key = objectKey(pod);
    this.uid = meta.uid;
    this.namespace = meta.namespace ?? '';
    this.name = meta.name;
    this.labels = meta.labels ?? {};
    const r = podResourceRequests(pod);
    this.requests = r.requests;
    this.nonZeroCpu = r.nonZeroCpu;
    this.nonZeroMemory = r.nonZeroMemory;
    this.hostPorts = [];
    const spec = pod.spec;
    const running = [
      ...(spec?.containers ?? []),
      ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    for (const c of running)
      for (const p of c.ports ?? [])
        if (p.hostPort && p.hostPort > 0)
          this.hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    this.tolerations = spec?.tolerations ?? [];
    const ns = this.namespace;
    const affinity = spec?.affinity;
    this.requiredAffinity = (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(
      (t) => affinityTerm(ns, t),
    );
    this.requiredAntiAffinity = (
      affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((t) => affinityTerm(ns, t));
    this.preferredAffinity = (
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((w) => ({ ...affinityTerm(ns, w.podAffinityTerm), weight: w.weight }));
    this.preferredAntiAffinity = (
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((w) => ({ ...affinityTerm(ns, w.podAffinityTerm), weight: w.weight }));
    const started = Date.parse(String(pod.status?.startTime ?? meta.creationTimestamp));
    this.startTime = Number.isNaN(started) ? Date.now() : started;
  }

  get hasAffinity(): boolean {
    return (
      this.requiredAffinity.length > 0 ||
      this.requiredAntiAffinity.length > 0 ||
      this.preferredAffinity.length > 0 ||
      this.preferredAntiAffinity.length > 0
    );
  }

  get terminating(): boolean {
    return Boolean(this.pod.metadata.deletionTimestamp);
  }
}

/** kube's MoreImportantPod: higher priority first, then the one running longer. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.startTime - b.startTime;
}
