/**
 * What the scheduler writes to the API: bindings (pods/binding), the PodScheduled=False condition and
 * nominated node of pods it cannot place, and the DisruptionTarget condition and deletion of
 * preemption victims, each with the event Kubernetes records.
 */
import { isStatusError } from '../apimachinery/errors.js';
import { now } from '../apimachinery/meta.js';
import type { EventRecorder } from '../client/events.js';
import type { PersistentVolumeClaim, Pod, PodCondition } from '../client/objects.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../client/resources.js';
import { SELECTED_NODE_ANNOTATION } from '../api/core/volume-matching.js';
import type { RestClient } from '../client/rest.js';
import { podCondition } from '../controllers/common/pod-util.js';

export const SCHEDULER_NAME = 'default-scheduler';

export class ApiActions {
  constructor(
    private readonly client: RestClient,
    private readonly events: EventRecorder,
  ) {}

  /**
   * Tells the PV binder which node a claim waiting for its first consumer is for
   * (`volume.kubernetes.io/selected-node`), as the scheduler's VolumeBinding does before binding.
   */
  async selectNodeForClaim(claim: PersistentVolumeClaim, node: string): Promise<void> {
    if (claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === node) return;
    await this.client.patch(
      PERSISTENT_VOLUME_CLAIMS,
      claim.metadata.namespace,
      claim.metadata.name,
      'merge',
      {
        metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } },
      },
    );
  }

  /** POST pods/NAME/binding; records `Scheduled` when it succeeds. */
  async bind(pod: Pod, node: string): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    await this.client.create(
      PODS,
      namespace,
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      },
      { name, subresource: 'binding' },
    );
    this.events.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /**
   * Records `FailedScheduling` and sets PodScheduled=False with `reason` (Unschedulable, or
   * SchedulerError after an API error) and the message, and the nominated node when `nominated` is
   * given ('' clears it). The status is written only when it changes.
   */
  async unschedulable(pod: Pod, reason: string, message: string, nominated?: string): Promise<void> {
    this.events.event(pod, 'Warning', 'FailedScheduling', message);
    const current = podCondition(pod, 'PodScheduled');
    const sameCondition =
      current?.status === 'False' && current.reason === reason && current.message === message;
    const sameNomination = nominated === undefined || (pod.status?.nominatedNodeName ?? '') === nominated;
    if (sameCondition && sameNomination) return;
    const status: Record<string, unknown> = {
      conditions: [
        condition(
          'PodScheduled',
          'False',
          reason,
          message,
          current?.status === 'False' ? current : undefined,
        ),
      ],
    };
    if (nominated !== undefined) status['nominatedNodeName'] = nominated === '' ? null : nominated;
    await this.patchStatus(pod, status);
  }

  /** PodScheduled=False (SchedulingGated) for a pod held back by spec.schedulingGates, once. */
  async gated(pod: Pod): Promise<void> {
    if (podCondition(pod, 'PodScheduled')?.reason === 'SchedulingGated') return;
    await this.patchStatus(pod, {
      conditions: [
        condition(
          'PodScheduled',
          'False',
          'SchedulingGated',
          'Scheduling is blocked due to non-empty scheduling gates',
        ),
      ],
    });
  }

  /** Clears a nomination that no longer holds. */
  async clearNomination(pod: Pod): Promise<void> {
    if (pod.status?.nominatedNodeName) await this.patchStatus(pod, { nominatedNodeName: null });
  }

  /**
   * Marks the victim DisruptionTarget (PreemptionByScheduler), deletes it with its grace period, and
   * records `Preempted` on it.
   */
  async preemptVictim(victim: Pod, preemptor: Pod, node: string): Promise<void> {
    const schedulerName = preemptor.spec?.schedulerName ?? SCHEDULER_NAME;
    await this.patchStatus(victim, {
      conditions: [
        condition(
          'DisruptionTarget',
          'True',
          'PreemptionByScheduler',
          `${schedulerName}: preempting to accommodate a higher priority pod`,
        ),
      ],
    });
    try {
      await this.client.delete(PODS, victim.metadata.namespace, victim.metadata.name, {
        preconditions: { uid: victim.metadata.uid },
      });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
      return;
    }
    this.events.event(
      victim,
      'Normal',
      'Preempted',
      `Preempted by pod ${preemptor.metadata.uid} on node ${node}`,
    );
  }

  private async patchStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
    try {
      await this.client.patch(
        PODS,
        pod.metadata.namespace,
        pod.metadata.name,
        'strategic',
        { status },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous?: PodCondition,
): Record<string, unknown> {
  return {
    type,
    status,
    reason,
    message,
    lastProbeTime: null,
    lastTransitionTime: previous?.lastTransitionTime ?? now(),
  };
}
