/**
 * Pod priority: spec.priority and spec.preemptionPolicy, which Priority admission sets on every new pod.
 * A pod without them (stored before that plugin existed) gets them from its PriorityClass (or the
 * globalDefault class, or 0), as admission would have set them.
 */
import type { Informer } from '../client/informer.js';
import type { Pod, PriorityClass } from '../client/objects.js';

export class PriorityResolver {
  constructor(private readonly classes: Informer<PriorityClass>) {}

  private classOf(pod: Pod): PriorityClass | undefined {
    const name = pod.spec?.priorityClassName;
    if (name) return this.classes.get(undefined, name);
    return this.classes.list((pc) => pc.globalDefault === true)[0];
  }

  priority(pod: Pod): number {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    return this.classOf(pod)?.value ?? 0;
  }

  preemptionPolicy(pod: Pod): string {
    return pod.spec?.preemptionPolicy ?? this.classOf(pod)?.preemptionPolicy ?? 'PreemptLowerPriority';
  }
}
