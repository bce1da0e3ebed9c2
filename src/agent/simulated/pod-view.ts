/**
 * What the simulated kubelet keeps of each pod: the few fields it acts on, not the whole object, so a
 * cache of 150,000 pods stays small. Pods not bound to one of its nodes keep only their identity.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Pod } from '../../client/objects.js';
import { EXIT_CODE_ANNOTATION, READY_ANNOTATION, RUN_SECONDS_ANNOTATION } from './options.js';

/** Only name, namespace, uid, resourceVersion and deletionTimestamp of the metadata are kept. */
export interface SimPod extends StoredObject {
  nodeName: string;
  /** Set only for pods on our nodes. */
  run?: SimPodRun;
}

export interface SimPodRun {
  phase: string;
  restartPolicy: string;
  /** Pods in the host's network namespace have the node's IP. */
  hostNetwork: boolean;
  /** [name, image] of each container. */
  containers: [string, string][];
  /** [name, image, restartPolicy] of each init container (`Always` = a sidecar). */
  initContainers: [string, string, string][];
  runSeconds: number;
  exitCode: number;
  podIP?: string;
  ready: boolean;
  /** What readiness the pod's (simulated) probes report: false while annotated `k8ts.io/simulated-ready=false`. */
  probeReady: boolean;
  /** When the current run of the containers started (RFC 3339), and how often they restarted. */
  startedAt?: string;
  restartCount: number;
}

function annotationNumber(pod: Pod, key: string, dflt: number): number {
  const v = Number(pod.metadata.annotations?.[key]);
  return Number.isFinite(v) && pod.metadata.annotations?.[key] !== undefined ? v : dflt;
}

/** An informer transform: the SimPod of `obj`, in full when `ours(nodeName)`. */
export function simPodView(ours: (nodeName: string) => boolean) {
  return (obj: StoredObject): SimPod => {
    const pod = obj as unknown as Pod;
    const m = pod.metadata;
    const nodeName = pod.spec?.nodeName ?? '';
    const view: SimPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: m.name,
        namespace: m.namespace ?? '',
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: '',
        ...(m.deletionTimestamp ? { deletionTimestamp: String(m.deletionTimestamp) } : {}),
      },
      nodeName,
    };
    if (!nodeName || !ours(nodeName)) return view;
    const status = pod.status ?? {};
    const first = status.containerStatuses?.[0];
    view.run = {
      phase: status.phase ?? 'Pending',
      restartPolicy: pod.spec?.restartPolicy ?? 'Always',
      hostNetwork: pod.spec?.hostNetwork === true,
      containers: (pod.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']),
      initContainers: (pod.spec?.initContainers ?? []).map((c) => [
        c.name,
        c.image ?? '',
        c.restartPolicy ?? '',
      ]),
      runSeconds: annotationNumber(pod, RUN_SECONDS_ANNOTATION, 1),
      exitCode: annotationNumber(pod, EXIT_CODE_ANNOTATION, 0),
      ...(status.podIP ? { podIP: status.podIP } : {}),
      ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      probeReady: pod.metadata.annotations?.[READY_ANNOTATION] !== 'false',
      ...(first?.state?.running?.startedAt ? { startedAt: String(first.state.running.startedAt) } : {}),
      restartCount: first?.restartCount ?? 0,
    };
    return view;
  };
}
