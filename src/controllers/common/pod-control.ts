/**
 * Creating and deleting pods on behalf of an owner: the pod built from a template (labels,
 * annotations, spec, the controller reference, generateName `<owner>-`), and the Kubernetes events
 * (`SuccessfulCreate`, `FailedCreate`, `SuccessfulDelete`) kubectl describe shows on the owner.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Pod, PodTemplateSpec } from '../../client/objects.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { newControllerRef } from './controller-ref.js';

export interface PodOverrides {
  /** A fixed name (StatefulSets); otherwise `<owner name>-` + a random suffix. */
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Changes to the spec after copying (a node affinity, a hostname, ...). */
  mutateSpec?: (spec: NonNullable<Pod['spec']>) => void;
}

/** The pod a controller creates from `template` for `owner` (not yet sent). */
export function podFromTemplate(owner: StoredObject, template: PodTemplateSpec, o: PodOverrides = {}): Pod {
  const spec = structuredClone(template.spec ?? { containers: [] });
  o.mutateSpec?.(spec);
  const metadata: Record<string, unknown> = {
    namespace: owner.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), ...(o.labels ?? {}) },
    annotations: { ...(template.metadata?.annotations ?? {}), ...(o.annotations ?? {}) },
    ownerReferences: [newControllerRef(owner)],
    ...(template.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
  };
  if (o.name) metadata['name'] = o.name;
  else metadata['generateName'] = o.generateName ?? `${owner.metadata.name}-`;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec } as unknown as Pod;
}

export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly events: EventRecorder,
  ) {}

  async create(owner: StoredObject, template: PodTemplateSpec, o: PodOverrides = {}): Promise<Pod> {
    const pod = podFromTemplate(owner, template, o);
    try {
      const created = await this.client.create<Pod>(PODS, owner.metadata.namespace, pod);
      this.events.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      this.events.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  async delete(owner: StoredObject, pod: Pod): Promise<void> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name, {
        preconditions: { uid: pod.metadata.uid },
      });
      this.events.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      this.events.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}
