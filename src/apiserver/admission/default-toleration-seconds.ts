/**
 * DefaultTolerationSeconds (a default kube-apiserver admission plugin): a pod that does not tolerate the
 * node.kubernetes.io/not-ready or unreachable NoExecute taints gets a toleration for each with
 * tolerationSeconds 300, so its node may be silent for 5 minutes before the pod is evicted. A
 * toleration with an empty key or an empty effect counts as tolerating. Runs on create and update, as
 * in Kubernetes (an update that dropped them gets them back).
 */
import type { AdmissionPlugin } from './chain.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const tolerates = (t: Toleration, key: string) =>
  (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute');

export function defaultTolerationSeconds(): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(req) {
      if (
        (req.operation !== 'CREATE' && req.operation !== 'UPDATE') ||
        req.def.group !== '' ||
        req.def.resource !== 'pods'
      )
        return Promise.resolve();
      const spec = (req.object['spec'] ??= {}) as { tolerations?: Toleration[] };
      const tolerations = spec.tolerations ?? [];
      for (const key of [NOT_READY, UNREACHABLE])
        if (!tolerations.some((t) => tolerates(t, key)))
          tolerations.push({
            key,
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
          });
      spec.tolerations = tolerations;
      return Promise.resolve();
    },
  };
}
