/**
 * The scheduler inside a real `k8ts server`: the test registers nodes through the API (there is no
 * kubelet, so nodes never update their status and pods never run) and drives pods with real kubectl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/config.js';
import { NODES } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([32])[0]!;

interface NodeSpec {
  cpu: string;
  labels?: Record<string, string>;
  taints?: { key: string; value: string; effect: string }[];
}

describe('scheduler end to end', () => {
  let server: RunningServer;
  let client: RestClient;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const kc = async (...args: string[]) => ok(await run(...args), `kubectl ${args.join(' ')}`);
  const apply = async (yaml: string) =>
    ok(await kubectl(k, server.kubeconfig, cache.dir, ['apply', '-f', '-'], yaml), 'kubectl apply');
  const field = (pod: string, path: string) => kc('get', 'pod', pod, '-o', `jsonpath={${path}}`);
  const nodeOf = (pod: string) => field(pod, '.spec.nodeName');
  const events = async (pod: string) =>
    kc(
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${pod}`,
      '-o',
      'jsonpath={range .items[*]}{.type}|{.reason}|{.source.component}|{.message}{"\\n"}{end}',
    );

  /** Registers a Ready node with allocatable cpu, 8Gi memory and 20 pods, as a kubelet would. */
  async function addNode(name: string, spec: NodeSpec): Promise<void> {
    await client.create(NODES, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...spec.labels } },
      spec: { taints: spec.taints },
    });
    const capacity = { cpu: spec.cpu, memory: '8Gi', pods: '20', 'ephemeral-storage': '50Gi' };
    await client.patch(
      NODES,
      undefined,
      name,
      'merge',
      {
        status: {
          capacity,
          allocatable: capacity,
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is ready' },
          ],
        },
      },
      { subresource: 'status' },
    );
  }

  const podYaml = (name: string, extra: string, cpu?: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${extra}
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "3600"]
${cpu ? `    resources:\n      requests:\n        cpu: "${cpu}"` : ''}
`;

  const scheduledTo = async (pod: string, node: string) => {
    await until(`${pod} bound`, async () => (await nodeOf(pod)) !== '', 20_000);
    assert.equal(await nodeOf(pod), node, `${pod} placed on ${node}`);
    await until(`${pod} Scheduled event`, async () => (await events(pod)).includes('Scheduled'), 20_000);
    assert.match(
      await events(pod),
      new RegExp(`Normal\\|Scheduled\\|default-scheduler\\|Successfully assigned default/${pod} to ${node}`),
    );
  };

  /** Waits for the pod's FailedScheduling message (the event and PodScheduled=False) to be `message`. */
  const failsWith = async (pod: string, message: string) => {
    await until(
      `${pod} PodScheduled=False`,
      async () => (await field(pod, '.status.conditions[?(@.type=="PodScheduled")].message')) === message,
      20_000,
    );
    assert.equal(await field(pod, '.status.conditions[?(@.type=="PodScheduled")].status'), 'False');
    assert.equal(await field(pod, '.status.conditions[?(@.type=="PodScheduled")].reason'), 'Unschedulable');
    assert.ok(
      (await events(pod)).includes(`Warning|FailedScheduling|default-scheduler|${message}`),
      `FailedScheduling event with ${message}`,
    );
    const described = await kc('describe', 'pod', pod);
    assert.match(described, /PodScheduled\s+False/);
    assert.ok(described.includes(`FailedScheduling  `), 'describe lists the event');
    assert.ok(described.includes(`default-scheduler  ${message}`), `describe shows: ${described}`);
  };

  before(async () => {
    server = await startServer();
    client = new RestClient(loadKubeconfig(server.kubeconfig, 'scheduler-e2e/v0'));
    await addNode('node-a', { cpu: '2', labels: { disk: 'ssd' } });
    await addNode('node-b', { cpu: '4', labels: { disk: 'hdd' } });
    await addNode('node-c', {
      cpu: '4',
      labels: { pool: 'dedicated' },
      taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }],
    });
  });
  after(async () => {
    client?.close();
    await server?.stop();
    cache.remove();
  });

  it('places a pod where its requests fit', async () => {
    // node-a has only 2 CPUs and node-c is tainted: only node-b takes 3 CPUs.
    await apply(podYaml('big', '', '3'));
    await scheduledTo('big', 'node-b');
  });

  it('honours nodeSelector and taints', async () => {
    await apply(podYaml('ssd', '  nodeSelector:\n    disk: ssd'));
    await scheduledTo('ssd', 'node-a');
    await apply(
      podYaml(
        'tolerant',
        '  nodeSelector:\n    pool: dedicated\n  tolerations:\n  - key: dedicated\n    operator: Equal\n    value: x\n    effect: NoSchedule',
      ),
    );
    await scheduledTo('tolerant', 'node-c');
  });

  it('explains why a pod fits nowhere, as kube-scheduler does', async () => {
    await apply(podYaml('intolerant', '  nodeSelector:\n    pool: dedicated'));
    await failsWith(
      'intolerant',
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    await apply(podYaml('huge', '', '100'));
    await failsWith(
      'huge',
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: x}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
    const wide = await kc('get', 'pod', 'huge', '-o', 'wide');
    assert.match(wide, /huge\s+0\/1\s+Pending/);
    const all = await kc('get', 'events', '--field-selector', 'reason=FailedScheduling');
    assert.match(all, /Warning\s+FailedScheduling\s+pod\/huge\s+0\/3 nodes are available/);
  });

  it('schedules a pending pod once a node it fits on is added', async () => {
    await apply(podYaml('waiting', '  nodeSelector:\n    role: late'));
    await until('waiting is unschedulable', async () =>
      (await events('waiting')).includes('FailedScheduling'),
    );
    assert.equal(await nodeOf('waiting'), '');
    await addNode('node-late', { cpu: '2', labels: { role: 'late' } });
    await scheduledTo('waiting', 'node-late');
  });

  it('preempts a lower-priority pod and nominates the node for the preemptor', async () => {
    await addNode('node-p', { cpu: '2', labels: { role: 'preempt' } });
    await apply(`
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
description: test
`);
    await apply(podYaml('low', '  nodeSelector:\n    role: preempt', '1500m'));
    await scheduledTo('low', 'node-p');
    const lowUid = await field('low', '.metadata.uid');
    await apply(podYaml('high', '  priorityClassName: high\n  nodeSelector:\n    role: preempt', '1'));
    await until(
      'high nominated',
      async () => (await field('high', '.status.nominatedNodeName')) === 'node-p',
    );
    const highUid = await field('high', '.metadata.uid');
    assert.match(await kc('get', 'pod', 'high', '-o', 'wide'), /high\s+0\/1\s+Pending.*<none>\s+node-p/);
    assert.match(
      await events('high'),
      /Warning\|FailedScheduling\|default-scheduler\|0\/5 nodes are available: 1 Insufficient cpu, 1 node\(s\) had untolerated taint \{dedicated: x\}, 3 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
    // The victim is being deleted (no kubelet finishes it) and says why.
    await until('low terminating', async () => (await field('low', '.metadata.deletionTimestamp')) !== '');
    assert.equal(
      await field('low', '.status.conditions[?(@.type=="DisruptionTarget")].reason'),
      'PreemptionByScheduler',
    );
    await until('Preempted event', async () => (await events('low')).includes('Preempted'));
    assert.ok(
      (await events('low')).includes(
        `Normal|Preempted|default-scheduler|Preempted by pod ${highUid} on node node-p`,
      ),
    );
    assert.equal(await nodeOf('high'), '', 'the preemptor waits for its victim to go');
    // Stand in for the kubelet finishing the victim.
    await kc('delete', 'pod', 'low', '--force', '--grace-period=0');
    await scheduledTo('high', 'node-p');
    assert.notEqual(lowUid, highUid);
  });
});
