/**
 * The Node a simulated kubelet registers and the status it keeps posting: labels, capacity, addresses,
 * nodeInfo (so `kubectl get nodes -o wide` reads like a real node) and the kubelet's four conditions.
 */
import { arch } from 'node:os';
import { createHash } from 'node:crypto';
import { now } from '../../apimachinery/meta.js';
import { KUBERNETES_VERSION } from '../../apiserver/server.js';
import type { Node, NodeCondition } from '../../client/objects.js';
import { VERSION } from '../../cli/version.js';
import { formatIPv4, parseIPv4 } from '../../util/ipv4.js';
import { SIMULATED_NODE_LABEL, SIMULATED_NODE_LABEL_VALUE } from './options.js';
import type { SimulatedNodeOptions } from './options.js';

/** Simulated nodes' InternalIPs: 172.16.0.2, 172.16.0.3, … (outside the default pod and service ranges). */
const NODE_ADDRESS_BASE = parseIPv4('172.16.0.2')!;

export function nodeAddress(index: number): string {
  return formatIPv4(NODE_ADDRESS_BASE + index);
}

/** Go's GOARCH for this machine, which the kubernetes.io/arch label and nodeInfo use. */
function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** The kubelet's condition texts when all is well. */
const HEALTHY: [type: string, status: string, reason: string, message: string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/**
 * The conditions a healthy kubelet posts at `stamp`: every lastHeartbeatTime is `stamp`, and a
 * lastTransitionTime moves only when the status differs from `previous` (the node's current ones).
 */
export function kubeletConditions(stamp: string, previous: NodeCondition[] = []): NodeCondition[] {
  return HEALTHY.map(([type, status, reason, message]) => {
    const old = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: stamp,
      lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : stamp,
    };
  });
}

/** Whether a node's conditions say something other than what a healthy kubelet would post. */
export function conditionsNeedUpdate(current: NodeCondition[] = []): boolean {
  return HEALTHY.some(([type, status, reason]) => {
    const c = current.find((x) => x.type === type);
    return !c || c.status !== status || c.reason !== reason;
  });
}

/** A stable made-up identifier (machine ID, boot ID) for a node name. */
function idFor(kind: string, name: string): string {
  return createHash('sha256').update(`${kind}/${name}`).digest('hex').slice(0, 32);
}

/** The status fields other than conditions: capacity, addresses, nodeInfo, the kubelet endpoint. */
export function staticNodeStatus(name: string, index: number, opts: SimulatedNodeOptions) {
  const capacity = {
    cpu: opts.cpu,
    memory: opts.memory,
    pods: opts.pods,
    'ephemeral-storage': opts.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  const machineID = idFor('machine', name);
  return {
    capacity,
    allocatable: { ...capacity },
    addresses: [
      { type: 'InternalIP', address: nodeAddress(index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID,
      systemUUID: `${machineID.slice(0, 8)}-${machineID.slice(8, 12)}-${machineID.slice(12, 16)}-${machineID.slice(16, 20)}-${machineID.slice(20, 32)}`,
      bootID: idFor('boot', name),
      kernelVersion: 'simulated',
      osImage: 'k8ts simulated node',
      containerRuntimeVersion: `k8ts-sim://${VERSION}`,
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

/** The Node object a simulated kubelet registers (status included, as the kubelet's create has it). */
export function simulatedNode(name: string, index: number, opts: SimulatedNodeOptions): Node {
  const arch = goArch();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': arch,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        [SIMULATED_NODE_LABEL]: SIMULATED_NODE_LABEL_VALUE,
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: { ...staticNodeStatus(name, index, opts), conditions: kubeletConditions(now()) },
  } as unknown as Node;
}
