/**
 * The pod statuses a kubelet posts, built for simulated pods: started (Running, Ready, an IP), finished
 * (Succeeded or Failed with the exit code), restarted (OnFailure), and rejected at admission. Each is
 * the body of a strategic merge patch of pods/status, so conditions other controllers set (a
 * DisruptionTarget, say) survive.
 */
import { createHash } from 'node:crypto';
import type { SimPod, SimPodRun } from './pod-view.js';

/** A made-up but stable container ID for one run of one container. */
function containerID(uid: string, name: string, restartCount: number): string {
  return `containerd://${createHash('sha256').update(`${uid}/${name}/${restartCount}`).digest('hex')}`;
}

/** `nginx:1.25` → `nginx@sha256:…`: the repo digest form a runtime reports as imageID. */
function imageID(image: string): string {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  lastProbeTime: null;
  lastTransitionTime?: string;
}

const condition = (type: string, status: string, stamp?: string, reason?: string): Condition => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  lastProbeTime: null,
  ...(stamp ? { lastTransitionTime: stamp } : {}),
});

function initStatuses(pod: SimPod, run: SimPodRun, stamp: string) {
  return run.initContainers.map(([name, image, policy]) => {
    const sidecar = policy === 'Always';
    return {
      name,
      image,
      imageID: imageID(image),
      containerID: containerID(pod.metadata.uid, name, 0),
      ready: sidecar,
      started: sidecar,
      restartCount: 0,
      state: sidecar
        ? { running: { startedAt: stamp } }
        : {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: stamp,
              finishedAt: stamp,
              containerID: containerID(pod.metadata.uid, name, 0),
            },
          },
    };
  });
}

/** The patch that starts `pod`: Running and Ready with `ip` on the node at `hostIP`. */
export function startedStatus(pod: SimPod, run: SimPodRun, ip: string, hostIP: string, stamp: string) {
  return {
    metadata: { resourceVersion: pod.metadata.resourceVersion },
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', 'True', stamp),
        condition('Initialized', 'True', stamp),
        condition('Ready', run.probeReady ? 'True' : 'False', stamp),
        condition('ContainersReady', run.probeReady ? 'True' : 'False', stamp),
        condition('PodScheduled', 'True'),
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: stamp,
      ...(run.initContainers.length ? { initContainerStatuses: initStatuses(pod, run, stamp) } : {}),
      containerStatuses: run.containers.map(([name, image]) => ({
        name,
        image,
        imageID: imageID(image),
        containerID: containerID(pod.metadata.uid, name, 0),
        ready: run.probeReady,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: stamp } },
      })),
    },
  };
}

/** The patch that ends the containers' run with `exitCode` and the pod in its terminal phase. */
export function finishedStatus(pod: SimPod, run: SimPodRun, exitCode: number, stamp: string) {
  const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  return {
    metadata: { resourceVersion: pod.metadata.resourceVersion },
    status: {
      phase,
      conditions: [
        condition('PodReadyToStartContainers', 'False', stamp),
        condition('Ready', 'False', stamp, reason),
        condition('ContainersReady', 'False', stamp, reason),
      ],
      containerStatuses: run.containers.map(([name, image]) => ({
        name,
        image,
        imageID: imageID(image),
        containerID: containerID(pod.metadata.uid, name, run.restartCount),
        ready: false,
        started: false,
        restartCount: run.restartCount,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: run.startedAt ?? stamp,
            finishedAt: stamp,
            containerID: containerID(pod.metadata.uid, name, run.restartCount),
          },
        },
      })),
    },
  };
}

/** The patch for an OnFailure pod whose containers failed: restarted at once, restartCount one higher. */
export function restartedStatus(pod: SimPod, run: SimPodRun, exitCode: number, stamp: string) {
  const restartCount = run.restartCount + 1;
  return {
    metadata: { resourceVersion: pod.metadata.resourceVersion },
    status: {
      containerStatuses: run.containers.map(([name, image]) => ({
        name,
        image,
        imageID: imageID(image),
        containerID: containerID(pod.metadata.uid, name, restartCount),
        ready: true,
        started: true,
        restartCount,
        state: { running: { startedAt: stamp } },
        lastState: {
          terminated: {
            exitCode,
            reason: 'Error',
            startedAt: run.startedAt ?? stamp,
            finishedAt: stamp,
            containerID: containerID(pod.metadata.uid, name, run.restartCount),
          },
        },
      })),
    },
  };
}

/** The patch that marks a running pod Ready again (after the node lifecycle controller marked it not). */
export function readinessStatus(pod: SimPod, ready: boolean, stamp: string) {
  const status = ready ? 'True' : 'False';
  return {
    metadata: { resourceVersion: pod.metadata.resourceVersion },
    status: {
      conditions: [condition('Ready', status, stamp), condition('ContainersReady', status, stamp)],
      // containerStatuses is replaced whole by a patch (it has no merge key): send every field.
      containerStatuses: (pod.run?.containers ?? []).map(([name, image]) => ({
        name,
        image,
        imageID: imageID(image),
        containerID: containerID(pod.metadata.uid, name, pod.run?.restartCount ?? 0),
        ready,
        started: true,
        restartCount: pod.run?.restartCount ?? 0,
        state: { running: { startedAt: pod.run?.startedAt ?? stamp } },
      })),
    },
  };
}

/** The kubelet's admission refusal when the node already runs as many pods as it has room for. */
export function rejectedStatus(pod: SimPod, used: number, capacity: number, stamp: string) {
  return {
    metadata: { resourceVersion: pod.metadata.resourceVersion },
    status: {
      phase: 'Failed',
      reason: 'OutOfpods',
      message: `Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: ${used}, capacity: ${capacity}`,
      startTime: stamp,
    },
  };
}
