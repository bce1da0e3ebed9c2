/**
 * Pod status changes tests make themselves: the stand-in nodes set a pod's status once, when it starts
 * running, so readiness changes go through the status subresource (`kubectl patch --subresource=status`).
 */

/** A strategic merge patch of the pod status that sets the Ready condition. */
export function readyConditionPatch(ready: boolean): string {
  const lastTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return JSON.stringify({
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime }] },
  });
}
