/** NodeName: a pod that names its node (spec.nodeName) fits only there. */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, Rejection } from '../framework/types.js';

export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    const wanted = pod.pod.spec?.nodeName;
    if (!wanted || wanted === node.name) return undefined;
    return reject(this.name, 'UnschedulableAndUnresolvable', "node(s) didn't match the requested node name");
  }
}
