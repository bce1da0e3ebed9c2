/** NodePorts: the pod's host ports must be free on the node (same protocol and port, overlapping IP). */
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { reject } from '../framework/types.js';
import type { CycleState, FilterPlugin, Rejection } from '../framework/types.js';

export class NodePorts implements FilterPlugin {
  readonly name = 'NodePorts';

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Rejection | undefined {
    for (const hp of pod.hostPorts)
      if (node.portInUse(hp))
        return reject(
          this.name,
          'Unschedulable',
          "node(s) didn't have free ports for the requested pod ports",
        );
    return undefined;
  }
}
