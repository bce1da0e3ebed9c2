/**
 * The `endpoints.kubernetes.io/last-change-trigger-time` of a service's endpoints: the earliest of the
 * changes not yet reflected, where a pod's change time is its Ready condition's lastTransitionTime and
 * the service's is its creation. Each sync records what it saw, so the next one reports only newer
 * changes (none: no annotation), as kube-controller-manager's TriggerTimeTracker.
 */
import type { Pod, Service } from '../../client/objects.js';
import { podCondition } from './pod-util.js';
import { LAST_CHANGE_TRIGGER_TIME_ANNOTATION } from './service-endpoints.js';

interface State {
  pods: Map<string, number>;
  service: number;
}

const parse = (t: unknown): number => (typeof t === 'string' ? Date.parse(t) : NaN);

export class TriggerTimeTracker {
  private readonly states = new Map<string, State>();

  /** The trigger time to annotate (RFC 3339), or undefined when nothing changed since the last call. */
  compute(serviceKey: string, svc: Service, pods: Pod[]): string | undefined {
    const last = this.states.get(serviceKey);
    let min = Infinity;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parse(podCondition(pod, 'Ready')?.lastTransitionTime);
      if (Number.isNaN(t)) continue;
      podTimes.set(pod.metadata.name, t);
      if (t > (last?.pods.get(pod.metadata.name) ?? -Infinity)) min = Math.min(min, t);
    }
    const svcTime = parse(svc.metadata.creationTimestamp);
    if (!Number.isNaN(svcTime) && svcTime > (last?.service ?? -Infinity)) min = Math.min(min, svcTime);
    this.states.set(serviceKey, { pods: podTimes, service: Number.isNaN(svcTime) ? -Infinity : svcTime });
    return min === Infinity ? undefined : new Date(min).toISOString().replace(/\.000Z$/, 'Z');
  }

  forget(serviceKey: string): void {
    this.states.delete(serviceKey);
  }
}

/**
 * `annotations` with the trigger-time annotation set to `time`, or removed when there is none (a new
 * map; undefined when nothing is left, so no empty map is written).
 */
export function withTriggerTimeAnnotation(
  annotations: Record<string, string> | undefined,
  time: string | undefined,
  extra: Record<string, string | undefined> = {},
): Record<string, string> | undefined {
  const out = { ...(annotations ?? {}) };
  for (const [k, v] of Object.entries({ [LAST_CHANGE_TRIGGER_TIME_ANNOTATION]: time, ...extra }))
    if (v === undefined) delete out[k];
    else out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
