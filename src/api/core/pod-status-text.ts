/**
 * The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed from a pod the way Kubernetes'
 * pod printer does: Pending, ContainerCreating, Running, Completed, Error, CrashLoopBackOff, Init:0/1,
 * Init:Error, PodInitializing, Terminating, NotReady, Unknown.
 */
import type { KubeObject } from '../../apimachinery/meta.js';
import { arr, humanDuration, rec, text } from '../printing.js';

type Obj = Record<string, unknown>;

function restartsText(count: number, lastTerminated: string | undefined): string {
  if (count > 0 && lastTerminated)
    return `${count} (${humanDuration(Date.now() - Date.parse(lastTerminated))} ago)`;
  return text(count);
}

export function podPrintCells(pod: KubeObject): { ready: string; status: string; restarts: string } {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const containers = arr(spec['containers']);
  const initContainers = arr(spec['initContainers']);
  let reason = text(status['reason'] ?? status['phase'] ?? 'Pending') || 'Pending';
  let restarts = 0;
  let lastRestart: string | undefined;
  const noteRestart = (cs: Obj) => {
    restarts += Number(cs['restartCount'] ?? 0);
    const finished = rec(rec(cs['lastState'])['terminated'])['finishedAt'];
    if (typeof finished === 'string' && (!lastRestart || finished > lastRestart)) lastRestart = finished;
  };

  // Sidecars (init containers with restartPolicy Always) count towards READY like regular containers.
  const sidecars = new Set(
    initContainers.filter((c) => c['restartPolicy'] === 'Always').map((c) => text(c['name'])),
  );
  let total = containers.length + sidecars.size;
  let ready = 0;

  let initializing = false;
  const initStatuses = arr(status['initContainerStatuses']);
  for (const [i, cs] of initStatuses.entries()) {
    noteRestart(cs);
    const state = rec(cs['state']);
    const term = rec(state['terminated']);
    const waiting = rec(state['waiting']);
    const isSidecar = sidecars.has(text(cs['name']));
    if (isSidecar && cs['ready'] === true) ready++;
    if (Object.keys(term).length && term['exitCode'] === 0) continue;
    if (isSidecar && cs['started'] === true) continue;
    if (Object.keys(term).length) {
      reason = term['reason']
        ? `Init:${text(term['reason'])}`
        : term['signal']
          ? `Init:Signal:${text(term['signal'])}`
          : `Init:ExitCode:${text(term['exitCode'])}`;
    } else if (waiting['reason'] && waiting['reason'] !== 'PodInitializing') {
      reason = `Init:${text(waiting['reason'])}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing) {
    restarts = 0;
    lastRestart = undefined;
    for (const cs of initStatuses) if (sidecars.has(text(cs['name']))) noteRestart(cs);
    let hasRunning = false;
    const statuses = arr(status['containerStatuses']);
    for (const cs of [...statuses].reverse()) {
      noteRestart(cs);
      const state = rec(cs['state']);
      const waiting = rec(state['waiting']);
      const term = rec(state['terminated']);
      if (waiting['reason']) reason = text(waiting['reason']);
      else if (term['reason']) reason = text(term['reason']);
      else if (Object.keys(term).length)
        reason = term['signal'] ? `Signal:${text(term['signal'])}` : `ExitCode:${text(term['exitCode'])}`;
      else if (Object.keys(rec(state['running'])).length && cs['ready'] === true) {
        hasRunning = true;
        ready++;
      } else if (Object.keys(rec(state['running'])).length) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = arr(status['conditions']).find((c) => c['type'] === 'Ready');
      reason = readyCond?.['status'] === 'True' ? 'Running' : 'NotReady';
    }
  }

  const meta = pod.metadata ?? {};
  if (meta.deletionTimestamp && status['reason'] === 'NodeLost') reason = 'Unknown';
  else if (meta.deletionTimestamp) reason = 'Terminating';
  if (total === 0) total = containers.length;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText(restarts, lastRestart) };
}
