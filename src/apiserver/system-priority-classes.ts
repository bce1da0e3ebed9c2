/** The PriorityClasses kube-apiserver creates at start, which system pods refer to by name. */
import type { KubeObject } from '../apimachinery/meta.js';

const pc = (name: string, value: number, description: string): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  description,
});

export const SYSTEM_PRIORITY_CLASSES: KubeObject[] = [
  pc(
    'system-node-critical',
    2000001000,
    'Used for system critical pods that must not be moved from their current node.',
  ),
  pc(
    'system-cluster-critical',
    2000000000,
    'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  ),
];
