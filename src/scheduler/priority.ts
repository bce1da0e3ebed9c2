/**
 * Pod priority. The API server here has no Priority admission plugin, so spec.priority may be unset:
 * then it comes from the pod's PriorityClass (or the globalDefault class, or 0), and so does the
 * preemption policy, as admission would have set them.
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
