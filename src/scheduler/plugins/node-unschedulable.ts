/** NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods tolerating its taint. */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, Rejection } from '../framework/types.js';
import { toleratedBy } from '../../api/core/taints.js';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    if (!node.unschedulable || toleratedBy(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
    return reject(this.name, 'UnschedulableAndUnresolvable', 'node(s) were unschedulable');
  }
}
